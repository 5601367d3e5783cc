using System.Runtime.CompilerServices;

namespace Warmup.Cli.Tests;

/// <summary>
/// Every `warmup` these tests start, in process or as a child process (which inherits the environment), keeps its cache
/// (the learned shape maps) in a folder of this test run instead of the user's own cache folder: a map one test learned
/// must not shape another test's run, and a test run must not leave maps behind.
/// </summary>
internal static class TestCacheFolder
{
#pragma warning disable CA2255 // A test assembly is the application here: the folder must be set before any test starts.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Isolate()
    {
        var folder = Directory.CreateTempSubdirectory("warmup-cli-tests-").FullName;
        Environment.SetEnvironmentVariable("XDG_CACHE_HOME", folder);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(folder, recursive: true);
    }
}
