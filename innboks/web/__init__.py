"""What every staff page and API stands on: users, sign-in, sessions and the HTTP errors."""
