"""What the X tests share: the ids in the recorded X API v2 responses (tests/fixtures/x) and the time."""

from __future__ import annotations

from datetime import UTC, datetime

ACCOUNT = "2954310217"  # @altakommune
INGRID, MATHIAS, SIRI = "1287354029384716289", "884213576", "1598211744329371648"
POST, POST_EARLIER = "2122215641360965632", "2121242306980421632"
M_INGRID, M_MATHIAS, RETWEET, R_INGRID = ("2122225841906962432", "2122229444817522688", "2122229809721970691",
                                          "2122239578253893632")
M_SIRI, M_SIRI_EDIT, M_INGRID_THANKS = "2122281043142770688", "2122286772562034689", "2122306221548818432"
DM_OLD, DM_SIRI, DM_INGRID, DM_OURS, DM_INGRID_2 = ("2117335937754296320", "2121514416645304320",
                                                    "2122272306406584320", "2122278543336632320",
                                                    "2122314408830136320")
NOW = datetime(2026, 11, 16, 11, 0, tzinfo=UTC)
