package dev.skiff.operator.status;

/** An Event a status change is worth: its type, reason and message. */
public record StatusEvent(EventType type, Reason reason, String message) {}
