namespace Warmup.Functions.Events;

/// <summary>
/// A message or request body that is not an Event Grid or CloudEvents event at all. The webhook answers 400; the queue
/// trigger lets it fail so the host moves the message to the poison queue after maxDequeueCount.
/// </summary>
public sealed class MalformedEventException(string message, Exception? innerException = null) : Exception(message, innerException);
