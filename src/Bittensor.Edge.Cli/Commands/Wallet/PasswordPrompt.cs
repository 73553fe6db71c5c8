// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Spectre.Console;

namespace Bittensor.Edge.Cli.Commands.Wallet;

/// <summary>Asks for a password without echo.</summary>
internal interface IPasswordPrompt
{
    /// <summary>Whether there is a terminal to ask on.</summary>
    bool IsAvailable { get; }

    /// <summary>Asks once and returns what was typed.</summary>
    string Ask(string question);
}

/// <summary>Prompts on the terminal through Spectre.Console, writing to stderr so that <c>--json</c> output stays clean.</summary>
internal sealed class ConsolePasswordPrompt : IPasswordPrompt
{
    private ConsolePasswordPrompt()
    {
    }

    public static ConsolePasswordPrompt Instance { get; } = new();

    public bool IsAvailable => !Console.IsInputRedirected;

    public string Ask(string question)
    {
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        return console.Prompt(new TextPrompt<string>(question).Secret(null).AllowEmpty());
    }
}
