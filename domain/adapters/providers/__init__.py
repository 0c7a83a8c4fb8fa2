"""Generation provider clients: the built-in offline renderers and remote model APIs."""
