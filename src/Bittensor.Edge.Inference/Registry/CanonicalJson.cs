// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Bittensor.Edge.Inference.Registry;

/// <summary>
/// RFC 8785 (JCS) canonical JSON of a parsed value: object members sorted by their UTF-16 code units, no whitespace,
/// strings with the minimal escapes, and numbers in ECMAScript's shortest round-trip form (<c>1e-7</c>, <c>0.0001</c>,
/// <c>38698</c>). Thread-safe (stateless).
/// </summary>
public static class CanonicalJson
{
    /// <summary>The canonical bytes of <paramref name="element"/>, leaving out top-level members named in <paramref name="omit"/>.</summary>
    /// <exception cref="FormatException">A number is not finite.</exception>
    public static byte[] Serialize(JsonElement element, params string[] omit)
    {
        ArgumentNullException.ThrowIfNull(omit);
        ArrayBufferWriter<byte> buffer = new(1024);
        StringBuilder text = new();
        Write(element, text, omit);
        buffer.Write(Encoding.UTF8.GetBytes(text.ToString()));
        return buffer.WrittenSpan.ToArray();
    }

    private static void Write(JsonElement element, StringBuilder text, string[] omit)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                {
                    List<JsonProperty> members = [];
                    foreach (JsonProperty property in element.EnumerateObject())
                    {
                        if (Array.IndexOf(omit, property.Name) < 0)
                        {
                            members.Add(property);
                        }
                    }

                    members.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
                    text.Append('{');
                    for (int i = 0; i < members.Count; i++)
                    {
                        if (i > 0)
                        {
                            text.Append(',');
                        }

                        WriteString(members[i].Name, text);
                        text.Append(':');
                        Write(members[i].Value, text, []);
                    }

                    text.Append('}');
                    break;
                }

            case JsonValueKind.Array:
                {
                    text.Append('[');
                    int i = 0;
                    foreach (JsonElement item in element.EnumerateArray())
                    {
                        if (i++ > 0)
                        {
                            text.Append(',');
                        }

                        Write(item, text, []);
                    }

                    text.Append(']');
                    break;
                }

            case JsonValueKind.String:
                WriteString(element.GetString()!, text);
                break;
            case JsonValueKind.Number:
                text.Append(FormatNumber(element.GetDouble()));
                break;
            case JsonValueKind.True:
                text.Append("true");
                break;
            case JsonValueKind.False:
                text.Append("false");
                break;
            default:
                text.Append("null");
                break;
        }
    }

    private static void WriteString(string value, StringBuilder text)
    {
        text.Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '"': text.Append("\\\""); break;
                case '\\': text.Append("\\\\"); break;
                case '\b': text.Append("\\b"); break;
                case '\f': text.Append("\\f"); break;
                case '\n': text.Append("\\n"); break;
                case '\r': text.Append("\\r"); break;
                case '\t': text.Append("\\t"); break;
                default:
                    if (c < 0x20)
                    {
                        text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        text.Append(c);
                    }

                    break;
            }
        }

        text.Append('"');
    }

    /// <summary>ECMAScript <c>Number.prototype.toString</c> of <paramref name="value"/> (RFC 8785 §3.2.2.3).</summary>
    /// <exception cref="FormatException">NaN or infinity.</exception>
    public static string FormatNumber(double value)
    {
        if (!double.IsFinite(value))
        {
            ThrowHelper.ThrowFormat("JSON numbers must be finite.");
        }

        if (value == 0)
        {
            return "0";
        }

        string sign = value < 0 ? "-" : "";
        // "E16" would not be shortest; "R" is the shortest round-trip form, which we re-lay in ECMAScript style.
        string r = Math.Abs(value).ToString("R", CultureInfo.InvariantCulture);
        int e = r.IndexOfAny(['E', 'e']);
        string mantissa = e < 0 ? r : r[..e];
        int exponent = e < 0 ? 0 : int.Parse(r.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        int dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        string digits = dot < 0 ? mantissa : mantissa.Remove(dot, 1);
        int pointPos = (dot < 0 ? mantissa.Length : dot) + exponent;
        int leading = 0;
        while (leading < digits.Length - 1 && digits[leading] == '0')
        {
            leading++;
        }

        digits = digits[leading..];
        pointPos -= leading;
        digits = digits.TrimEnd('0');
        if (digits.Length == 0)
        {
            return "0";
        }

        int k = digits.Length;
        int n = pointPos;
        string body;
        if (k <= n && n <= 21)
        {
            body = digits + new string('0', n - k);
        }
        else if (0 < n && n <= 21)
        {
            body = digits[..n] + "." + digits[n..];
        }
        else if (-6 < n && n <= 0)
        {
            body = "0." + new string('0', -n) + digits;
        }
        else
        {
            int exp = n - 1;
            string expText = (exp >= 0 ? "+" : "-") + Math.Abs(exp).ToString(CultureInfo.InvariantCulture);
            body = k == 1 ? digits + "e" + expText : digits[..1] + "." + digits[1..] + "e" + expText;
        }

        return sign + body;
    }
}
