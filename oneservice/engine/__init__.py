"""The engine: state machines compiled from definitions, the clock and the working-day calendar."""
