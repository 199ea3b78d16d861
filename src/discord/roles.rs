//! At start, the rotations' page roles are put right for the current shift: the member on
//! call gets the role, the rotation's other members (and override users) lose it. Members
//! are read one by one through the REST API, so no privileged intent is needed.

use chrono::Utc;
use serenity::all::{GuildId, Http, HttpError, RoleId, UserId};

use crate::service::Service;

const REASON: &str = "tierdesk: on-call roles put right at start";
const UNKNOWN_MEMBER: isize = 10007;

/// Puts every rotation's page role right; logs what it changed and what it could not.
pub async fn reconcile(http: &Http, service: &Service) {
    let holders = match service.role_holders(Utc::now()).await {
        Ok(h) => h,
        Err(e) => {
            tracing::error!(error = ?e, "on-call roles: reading the rotations failed");
            return;
        }
    };
    let guild = GuildId::new(service.config.discord.guild_id.0);
    for (level, role, holder, others) in holders {
        let role = RoleId::new(role.0);
        let wanted = std::iter::once((holder, true)).chain(others.into_iter().map(|o| (o, false)));
        for (user, should_hold) in wanted {
            if let Err(e) = put_right(http, guild, UserId::new(user.0), role, should_hold).await {
                tracing::error!(level = level.get(), user = user.0, error = %e, "on-call roles: cannot put the page role right");
            }
        }
    }
}

async fn put_right(
    http: &Http,
    guild: GuildId,
    user: UserId,
    role: RoleId,
    should_hold: bool,
) -> serenity::Result<()> {
    let member = match http.get_member(guild, user).await {
        Ok(m) => m,
        Err(serenity::Error::Http(HttpError::UnsuccessfulRequest(r)))
            if r.error.code == UNKNOWN_MEMBER =>
        {
            tracing::warn!(
                user = user.get(),
                "on-call roles: not a member of the server"
            );
            return Ok(());
        }
        Err(e) => return Err(e),
    };
    match (member.roles.contains(&role), should_hold) {
        (false, true) => {
            tracing::info!(
                user = user.get(),
                "on-call roles: given to the member on call"
            );
            http.add_member_role(guild, user, role, Some(REASON)).await
        }
        (true, false) => {
            tracing::info!(
                user = user.get(),
                "on-call roles: taken from a member off call"
            );
            http.remove_member_role(guild, user, role, Some(REASON))
                .await
        }
        _ => Ok(()),
    }
}
