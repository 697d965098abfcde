"""The simulation engine: numpy over integer minor units. It knows nothing of documents."""
