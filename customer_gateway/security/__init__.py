"""Who may call: API keys and JWTs, the credentials of the routes beside /graphql, the guard."""
