namespace Warmup.Cli;

/// <summary>Bad input from the user: printed as one line, exit code <see cref="ExitCodes.BadInput"/>, no stack trace.</summary>
public sealed class UsageException(string message) : Exception(message);
