//! On-call use cases (SPEC §11): the handoff at each shift boundary or override, written with
//! its role changes and notice in one transaction (done once, even when several processes
//! look, and once late after downtime); who is on call; putting someone on call by hand.

use chrono::{DateTime, TimeDelta, Utc};

use super::{Context, Outcome, Reply, Service};
use crate::domain::effects::{HandoffReason, Outgoing};
use crate::domain::error::{Error, UserError};
use crate::domain::oncall::{Override, Rotation, Shift};
use crate::domain::{Level, RoleId, UserId};
use crate::service::store::{self, oncall, Tx};

/// Who is on call at one level: now, and the next shifts.
#[derive(Debug, Clone, PartialEq)]
pub struct OnCall {
    pub level: Level,
    pub now: Shift,
    pub next: Vec<Shift>,
}

impl Service {
    async fn overrides(&self, level: Level, now: DateTime<Utc>) -> anyhow::Result<Vec<Override>> {
        // Those that ended within the last day still tell why a handoff happens.
        let since = now - TimeDelta::days(1);
        oncall::overrides(
            self.store.reader(),
            self.config.discord.guild_id,
            level,
            since,
        )
        .await
    }

    /// Carries out every handoff due by `now`; returns the levels that changed hands.
    pub async fn run_oncall(&self, now: DateTime<Utc>) -> anyhow::Result<Vec<(Level, UserId)>> {
        let mut changed = Vec::new();
        for rotation in &self.config.rotations {
            let overrides = self.overrides(rotation.level, now).await?;
            let shift = rotation.on_call(&overrides, now);
            let mut tx = self.store.begin_write().await?;
            let guild = self.config.discord.guild_id;
            let held = oncall::holder(&mut *tx, guild, rotation.level).await?;
            if held.map(|(h, _)| h) == Some(shift.member) {
                continue;
            }
            let ended = overrides
                .iter()
                .any(|o| o.ends <= now && held.is_some_and(|(_, since)| o.ends > since));
            let why = match (shift.overridden, ended) {
                (true, _) => HandoffReason::OverrideStarted { by: shift.member },
                (false, true) => HandoffReason::OverrideEnded,
                (false, false) => HandoffReason::Shift,
            };
            self.hand_over(&mut tx, rotation, held.map(|(h, _)| h), &shift, why, now)
                .await?;
            tx.commit().await?;
            self.messages_queued.notify_one();
            changed.push((rotation.level, shift.member));
        }
        Ok(changed)
    }

    /// Records the new holder and queues the role changes and the notice, inside `tx`.
    async fn hand_over(
        &self,
        tx: &mut Tx,
        rotation: &Rotation,
        off: Option<UserId>,
        shift: &Shift,
        why: HandoffReason,
        now: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        let guild = self.config.discord.guild_id;
        let Some(tier) = self.config.tier(rotation.level) else {
            return Ok(());
        };
        oncall::set_holder(tx, guild, rotation.level, shift.member, now).await?;
        let handoff = Outgoing::Handoff {
            level: rotation.level,
            role: tier.page_role_id,
            channel: tier.queue_channel_id,
            on: shift.member,
            off,
            until: shift.ends,
            why,
        };
        store::outbox::enqueue(tx, guild, None, &[handoff], now).await?;
        Ok(())
    }

    /// When the next handoff is due, if any level has a rotation.
    pub async fn next_oncall_change(
        &self,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Option<DateTime<Utc>>> {
        let mut next: Option<DateTime<Utc>> = None;
        for rotation in &self.config.rotations {
            let ends = rotation
                .on_call(&self.overrides(rotation.level, now).await?, now)
                .ends;
            next = Some(next.map_or(ends, |n| n.min(ends)));
        }
        Ok(next)
    }

    /// Who holds `level`'s page role as far as tierdesk knows (for a page's text).
    pub async fn on_call_now(&self, level: Level) -> anyhow::Result<Option<UserId>> {
        let guild = self.config.discord.guild_id;
        Ok(oncall::holder(self.store.reader(), guild, level)
            .await?
            .map(|(h, _)| h))
    }

    /// Who should hold each rotation's page role at `now`, and who else might hold it by
    /// mistake (the rotation's members and override users): what start-up puts right.
    pub async fn role_holders(
        &self,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Vec<(Level, RoleId, UserId, Vec<UserId>)>> {
        let mut out = Vec::new();
        for rotation in &self.config.rotations {
            let Some(tier) = self.config.tier(rotation.level) else {
                continue;
            };
            let overrides = self.overrides(rotation.level, now).await?;
            let holder = rotation.on_call(&overrides, now).member;
            let mut others: Vec<UserId> = rotation.members.clone();
            others.extend(overrides.iter().map(|o| o.user));
            others.sort();
            others.dedup();
            others.retain(|u| *u != holder);
            out.push((rotation.level, tier.page_role_id, holder, others));
        }
        Ok(out)
    }

    /// The admins are told, once, that the bot may not hand `role` out.
    pub async fn role_refused(
        &self,
        level: Level,
        role: RoleId,
        now: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        let notice = Outgoing::RoleRefused {
            channel: self.config.summary.channel_id,
            admins: self.config.discord.admin_role_id,
            level,
            role,
        };
        let mut tx = self.store.begin_write().await?;
        store::outbox::enqueue(&mut tx, self.config.discord.guild_id, None, &[notice], now).await?;
        tx.commit().await?;
        self.messages_queued.notify_one();
        Ok(())
    }

    /// `/oncall who`: on call now and the next three shifts, for one level or all.
    pub(super) async fn oncall_who(
        &self,
        ctx: &Context,
        level: Option<Level>,
    ) -> Result<Outcome, Error> {
        let mut levels = Vec::new();
        for rotation in &self.config.rotations {
            if level.is_some_and(|l| l != rotation.level) {
                continue;
            }
            let overrides = self.overrides(rotation.level, ctx.now).await?;
            levels.push(OnCall {
                level: rotation.level,
                now: rotation.on_call(&overrides, ctx.now),
                next: rotation.upcoming(&overrides, ctx.now, 3),
            });
        }
        if let (Some(l), true) = (level, levels.is_empty()) {
            return Err(UserError::NoRotation(l).into());
        }
        Ok(Outcome::quiet(Reply::OnCall(levels)))
    }

    /// `/oncall override`: `user` on call at `level` from now until `until`.
    pub(super) async fn oncall_override(
        &self,
        ctx: &Context,
        level: Level,
        user: UserId,
        until: String,
    ) -> Result<Outcome, Error> {
        let rotation = self
            .config
            .rotation(level)
            .ok_or(UserError::NoRotation(level))?;
        if !ctx.actor.admin && !ctx.actor.levels.contains(&level) {
            return Err(UserError::OverrideNotAllowed(level).into());
        }
        let ends = crate::domain::oncall::parse_until(&until, ctx.now, rotation.timezone)?;
        let o = Override {
            user,
            starts: ctx.now,
            ends,
        };
        let guild = ctx.guild;
        let mut tx = self.store.begin_write().await?;
        oncall::add_override(&mut tx, guild, level, &o, ctx.actor.user).await?;
        let held = oncall::holder(&mut *tx, guild, level)
            .await?
            .map(|(h, _)| h);
        let shift = Shift {
            member: user,
            starts: ctx.now,
            ends,
            overridden: true,
        };
        let why = HandoffReason::OverrideStarted { by: ctx.actor.user };
        self.hand_over(&mut tx, rotation, held, &shift, why, ctx.now)
            .await?;
        tx.commit().await?;
        self.messages_queued.notify_one();
        self.deadlines_changed.notify_one();
        Ok(Outcome::quiet(Reply::OverrideSet { level, shift }))
    }
}
