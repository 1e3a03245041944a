"""Acting on the platforms: the guideline's rules for actions and the actions Innboks takes by itself."""
