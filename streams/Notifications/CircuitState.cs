namespace Cop.Streams.Notifications;

/// <summary>A LISTEN circuit's state (<see cref="ListenCircuitBreaker"/>); the values are the usdcop_notify_circuit_state gauge's.</summary>
public enum CircuitState { Closed = 0, HalfOpen = 1, Open = 2 }
