"""The Vad krävs? page: least-cost lever settings that reach the target, and the cost curve."""
