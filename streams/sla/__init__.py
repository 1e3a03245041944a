"""Response-time SLAs: business-hours calendars, policies, and the inquiry clock."""
