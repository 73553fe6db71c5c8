// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Cli.Tests;

public class ProgramTests
{
    [Fact]
    public async Task An_unknown_option_is_a_usage_error_with_exit_code_2_and_a_hint()
    {
        StringWriter output = new();
        StringWriter error = new();

        int exitCode = await Program.RunAsync(["wallet", "list", "--bogus"], output, error);

        Assert.Equal(2, exitCode);
        Assert.Contains("--bogus", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("bte wallet list --help", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_is_not_an_error()
    {
        StringWriter output = new();
        StringWriter error = new();

        int exitCode = await Program.RunAsync(["--help"], output, error);

        Assert.Equal(0, exitCode);
        Assert.Contains("wallet", output.ToString(), StringComparison.Ordinal);
        Assert.Equal("", error.ToString());
    }
}
