using DurableTask.AzureStorage;

namespace Warmup.CrashHost;

/// <summary>
/// Names the types in queued messages the way DurableTask.AzureStorage does by default (full name, no assembly), except
/// a Google.Protobuf map: the sidecar hands a sub-orchestration's start message its tags as the gRPC request's
/// <c>MapField&lt;string, string&gt;</c>, which the default names without its assembly and then cannot load back
/// ("Error resolving type specified in JSON 'Google.Protobuf.Collections.MapField`2…'"), so no sub-orchestration
/// would ever start. Written as a plain dictionary it reads back as one.
/// </summary>
internal sealed class ProtobufTagsBinder : ICustomTypeBinder
{
    public void BindToName(Type serializedType, out string? assemblyName, out string typeName)
    {
        assemblyName = null;
        typeName = IsProtobufMap(serializedType)
            ? typeof(Dictionary<string, string>).FullName!
            : serializedType.FullName!;
    }

    public Type BindToType(string? assemblyName, string typeName) => Type.GetType(typeName, throwOnError: true)!;

    private static bool IsProtobufMap(Type type) =>
        type.IsGenericType && type.GetGenericTypeDefinition().FullName == "Google.Protobuf.Collections.MapField`2";
}
