//! Discord snowflake ids as distinct types, so a role id is never passed where a user id goes.

use serde::{Deserialize, Serialize};

macro_rules! snowflake {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub u64);

        impl $name {
            /// The id as SQLite stores it. Snowflakes stay below 2^63 for centuries.
            pub fn db(self) -> i64 {
                self.0 as i64
            }
            /// The id read back from the database.
            pub fn from_db(v: i64) -> Self {
                Self(v as u64)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

snowflake!(
    /// A Discord user.
    UserId
);
snowflake!(
    /// A Discord role.
    RoleId
);
snowflake!(
    /// A Discord channel or thread.
    ChannelId
);
snowflake!(
    /// A Discord server.
    GuildId
);
