// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Runtime.InteropServices;

namespace Bittensor.Edge.Inference.Onnx;

/// <summary>
/// Writes ONNX <c>ModelProto</c> bytes for an <see cref="OnnxGraph"/> (inference.md §6), with no protobuf dependency.
/// </summary>
/// <remarks>
/// <para>Fields used (number: name, from onnx/onnx <c>onnx/onnx.proto</c>):</para>
/// <list type="table">
/// <item><term>ModelProto</term><description>1 ir_version (8), 2 producer_name, 3 producer_version, 7 graph, 8 opset_import</description></item>
/// <item><term>OperatorSetIdProto</term><description>1 domain (""), 2 version (17)</description></item>
/// <item><term>GraphProto</term><description>1 node, 2 name, 5 initializer, 11 input, 12 output</description></item>
/// <item><term>NodeProto</term><description>1 input, 2 output, 3 name, 4 op_type, 5 attribute</description></item>
/// <item><term>AttributeProto</term><description>1 name, 2 f, 3 i, 7 floats, 8 ints, 20 type</description></item>
/// <item><term>TensorProto</term><description>1 dims, 2 data_type, 8 name, 9 raw_data (little-endian)</description></item>
/// <item><term>ValueInfoProto</term><description>1 name, 2 type; TypeProto 1 tensor_type; TypeProto.Tensor 1 elem_type, 2 shape;
/// TensorShapeProto 1 dim; Dimension 1 dim_value, 2 dim_param</description></item>
/// </list>
/// <para>Determinism: fields go in ascending number order and nodes in graph order, with no doc strings, metadata or
/// timestamps, so one graph always gives the same bytes. Thread-safe (stateless).</para>
/// </remarks>
public static class ModelWriter
{
    /// <summary>The IR version written (ONNX 1.13+ readers, ORT 1.31.1).</summary>
    public const long IrVersion = 8;

    /// <summary>The default-domain opset written.</summary>
    public const long Opset = 17;

    /// <summary>ModelProto.producer_name.</summary>
    public const string ProducerName = "bittensor-edge";

    /// <summary>ModelProto.producer_version; part of the pinned bytes, so it changes only with the generator.</summary>
    public const string ProducerVersion = "1";

    /// <summary>The model bytes of <paramref name="graph"/>.</summary>
    public static byte[] Write(OnnxGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        long initializerBytes = 0;
        foreach (OnnxInitializer initializer in graph.Initializers)
        {
            initializerBytes += initializer.Values.LongLength * sizeof(float);
        }

        ProtoWriter model = new(checked((int)Math.Min(int.MaxValue / 2, initializerBytes + 4096)));
        model.WriteInt64(1, IrVersion);
        model.WriteString(2, ProducerName);
        model.WriteString(3, ProducerVersion);
        model.WriteMessage(7, WriteGraph(graph, initializerBytes));
        ProtoWriter opset = new(16);
        opset.WriteString(1, "");
        opset.WriteInt64(2, Opset);
        model.WriteMessage(8, opset);
        return model.WrittenSpan.ToArray();
    }

    private static ProtoWriter WriteGraph(OnnxGraph graph, long initializerBytes)
    {
        ProtoWriter writer = new(checked((int)Math.Min(int.MaxValue / 2, initializerBytes + 2048)));
        foreach (OnnxNode node in graph.Nodes)
        {
            writer.WriteMessage(1, WriteNode(node));
        }

        writer.WriteString(2, graph.Name);
        foreach (OnnxInitializer initializer in graph.Initializers)
        {
            writer.WriteMessage(5, WriteTensor(initializer));
        }

        foreach (OnnxValueInfo input in graph.Inputs)
        {
            writer.WriteMessage(11, WriteValueInfo(input));
        }

        foreach (OnnxValueInfo output in graph.Outputs)
        {
            writer.WriteMessage(12, WriteValueInfo(output));
        }

        return writer;
    }

    private static ProtoWriter WriteNode(OnnxNode node)
    {
        ProtoWriter writer = new(128);
        foreach (string input in node.Inputs)
        {
            writer.WriteString(1, input);
        }

        foreach (string output in node.Outputs)
        {
            writer.WriteString(2, output);
        }

        writer.WriteString(3, node.Name);
        writer.WriteString(4, node.OpType);
        foreach (OnnxAttr attribute in node.Attributes)
        {
            writer.WriteMessage(5, WriteAttribute(attribute));
        }

        return writer;
    }

    private static ProtoWriter WriteAttribute(OnnxAttr attribute)
    {
        ProtoWriter writer = new(64);
        writer.WriteString(1, attribute.Name);
        switch (attribute.Kind)
        {
            case OnnxAttrKind.Float:
                writer.WriteFloat(2, attribute.Floats[0]);
                break;
            case OnnxAttrKind.Int:
                writer.WriteInt64(3, attribute.Ints[0]);
                break;
            case OnnxAttrKind.Floats:
                foreach (float value in attribute.Floats)
                {
                    writer.WriteFloat(7, value);
                }

                break;
            case OnnxAttrKind.Ints:
                foreach (long value in attribute.Ints)
                {
                    writer.WriteInt64(8, value);
                }

                break;
            default:
                ThrowHelper.ThrowArgument(nameof(attribute), $"Attribute kind {attribute.Kind} is not supported.");
                break;
        }

        writer.WriteInt64(20, (long)attribute.Kind);
        return writer;
    }

    private static ProtoWriter WriteTensor(OnnxInitializer tensor)
    {
        long count = 1;
        foreach (long dim in tensor.Dims)
        {
            count *= dim;
        }

        if (count != tensor.Values.LongLength)
        {
            ThrowHelper.ThrowArgument(nameof(tensor), $"Initializer '{tensor.Name}' has {tensor.Values.LongLength} values for {count} elements.");
        }

        ProtoWriter writer = new(checked((tensor.Values.Length * sizeof(float)) + 64));
        foreach (long dim in tensor.Dims)
        {
            writer.WriteInt64(1, dim);
        }

        writer.WriteInt64(2, InferenceDTypes.OnnxCode(InferenceDType.Float32));
        writer.WriteString(8, tensor.Name);
        if (BitConverter.IsLittleEndian)
        {
            writer.WriteBytes(9, MemoryMarshal.AsBytes(tensor.Values.AsSpan()));
        }
        else
        {
            byte[] raw = new byte[tensor.Values.Length * sizeof(float)];
            for (int i = 0; i < tensor.Values.Length; i++)
            {
                System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(raw.AsSpan(i * sizeof(float)), tensor.Values[i]);
            }

            writer.WriteBytes(9, raw);
        }

        return writer;
    }

    private static ProtoWriter WriteValueInfo(OnnxValueInfo value)
    {
        ProtoWriter shape = new(64);
        foreach (OnnxDim dim in value.Shape)
        {
            ProtoWriter dimension = new(16);
            if (dim.Param is null)
            {
                dimension.WriteInt64(1, dim.Value);
            }
            else
            {
                dimension.WriteString(2, dim.Param);
            }

            shape.WriteMessage(1, dimension);
        }

        ProtoWriter tensorType = new(64);
        tensorType.WriteInt64(1, InferenceDTypes.OnnxCode(value.DType));
        tensorType.WriteMessage(2, shape);
        ProtoWriter type = new(64);
        type.WriteMessage(1, tensorType);
        ProtoWriter writer = new(96);
        writer.WriteString(1, value.Name);
        writer.WriteMessage(2, type);
        return writer;
    }
}
