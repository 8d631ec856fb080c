package dev.skiff.operator.status;

/** The two types of a core/v1 Event. */
public enum EventType {
  NORMAL("Normal"),
  WARNING("Warning");

  private final String text;

  EventType(String text) {
    this.text = text;
  }

  public String text() {
    return text;
  }
}
