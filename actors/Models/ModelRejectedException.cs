namespace Cop.Actors.Models;

/// <summary>Why a model file was refused; the message names the file and the problem.</summary>
public sealed class ModelRejectedException(string message, Exception? inner = null) : Exception(message, inner);
