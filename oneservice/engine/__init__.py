"""The engine: the rules of every action, the state machines built from their declarations, the calendar."""
