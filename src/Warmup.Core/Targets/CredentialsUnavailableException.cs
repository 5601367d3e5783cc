namespace Warmup.Core.Targets;

/// <summary>
/// A target's credentials cannot be had: the named setting is missing, a Key Vault reference did not resolve, no
/// authenticator is registered. Configuration, not a transient fault: activities do not retry it.
/// </summary>
public sealed class CredentialsUnavailableException(string message, Exception? inner = null) : InvalidOperationException(message, inner);
