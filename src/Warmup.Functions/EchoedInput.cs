namespace Warmup.Functions;

/// <summary>Caller-supplied text quoted back in an error or log line is cut short, so a huge value cannot flood either.</summary>
internal static class EchoedInput
{
    public const int MaxLength = 64;

    public static string Truncate(string value) => value.Length <= MaxLength ? value : value[..MaxLength] + "...";
}
