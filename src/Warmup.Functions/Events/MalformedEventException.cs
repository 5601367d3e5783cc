namespace Warmup.Functions.Events;

/// <summary>
/// A message or request body that is not an Event Grid or CloudEvents event at all. The webhook answers 400; the queue
/// trigger moves the message to its dead-letter queue at once (it would never parse on a retry).
/// </summary>
public sealed class MalformedEventException(string message, Exception? innerException = null) : Exception(message, innerException);
