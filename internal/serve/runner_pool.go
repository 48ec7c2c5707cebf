package serve

// The adapter to workers.Pool lands when the pool branch merges.
