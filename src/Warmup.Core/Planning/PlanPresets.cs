namespace Warmup.Core.Planning;

public static partial class PlanPresets
{
    public const string Full = "full";
    public const string Light = "light";
    public const string Seed = "seed";
}
