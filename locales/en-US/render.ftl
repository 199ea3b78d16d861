# Replies, channel messages and the summary.
priority-critical = critical
priority-high = high
priority-normal = normal
priority-low = low
status-open = open
status-acknowledged = acknowledged
status-waiting = waiting
status-closed = closed
ticket-line = #{ $number } { $title } · { $priority } · level { $level } ({ $level_name }) · { $status }
ticket-waiting-on = { $line } on { $vendor }
ticket-vendor-case = { $line } (case { $case })
ticket-assigned = { $line } · assigned to <@{ $assignee }>
reply-more-lines = …and { $count } more line(s); narrow it down (for example `/queue level:1 status:open`).
reply-other-guild = tierdesk serves another server; nothing was done here.
reply-busy = The help desk is very busy right now and could not open the form in time. Try again in a moment.
reply-form-expired = This form is too old (its options were kept for a day). Run the command again.
reply-oncall-none = No level has an on-call rotation.
reply-oncall-level = Level { $level } ({ $level_name }): { $now }; next: { $next }
reply-oncall-shift = <@{ $user }> until { $until }
reply-override = Level { $level } ({ $level_name }) is now on call: { $now }. The rotation resumes after.
reply-opened-closed = The desk is closed: it opens { $at }, and your ticket is paged then. A critical ticket pages at once.
show-target = resolve by { $due }
show-target-paused = resolve by { $due } (paused while it waits)
reply-waiting = Waiting: { $line }. Its clocks stopped; no re-pages.
page-field-target = Resolve by
reply-shutting-down = tierdesk is restarting; nothing was done. Try again in a moment.
only-you = (only you can see this)

reply-opened = Ticket opened: { $line }
reply-opened-due = Level { $level } has until { $due } to acknowledge it. Follow it in the ticket's thread.
reply-suggestions = These articles may solve it right away (the ticket stays open):
reply-suggestion = { $article } { $title } — `/kb show article:{ $article }`
reply-noted-internal = Note added to #{ $number } (internal: agents only).
reply-noted-public = Note added to #{ $number } (public).
reply-acknowledged = Acknowledged: { $line }
reply-assigned = Assigned: { $line }
reply-escalated = Ticket #{ $number } escalated to level { $level } ({ $level_name }), which has been paged.
reply-sent-to-vendor = Ticket #{ $number } handed to the vendor; level 3 keeps ownership while it waits: { $line }
reply-vendor-case = Vendor case recorded on #{ $number }: { $line }
reply-returned = Ticket #{ $number } returned to level { $level } ({ $level_name }), which has been paged.
reply-priority = Priority changed: { $line }
reply-closed = Ticket #{ $number } closed at level { $level }.
reply-reopened = Ticket #{ $number } reopened at level { $level } ({ $level_name }), which has been paged.
reply-rated = Thank you: you rated ticket #{ $number } { $score }/5.
reply-queue-level = Queue of level { $level } ({ $level_name })
reply-queue-all = All queues
reply-queue-status = { $head }, { $status } only
reply-queue-count = { $head }: { $count } ticket(s)
reply-stats = Key figures, last { $days } day(s)
reply-stats-level = { $head }, level { $level } only
reply-summary-posted = Backlog summary posted in the summary channel: { $open } open ticket(s), { $overdue } past their deadline.
reply-kb-written = Article { $article } written: { $title }. Read it with `/kb show article:{ $article }`.
reply-kb-edited = Article { $article } updated: { $title }.
reply-kb-none = No article matches “{ $query }”. Try other words, or open a ticket with `/ticket open`.
reply-kb-results = Articles for “{ $query }”:
reply-kb-hit = { $article } { $title } — { $snippet }
reply-kb-read = Read one with `/kb show article:KB-…`.
kb-tags = Tags: { $tags }
kb-source = Written from ticket #{ $number }.
kb-history = History:
kb-wrote = <@{ $editor }> wrote it
kb-edited = <@{ $editor }> edited it

show-requester = Requester: <@{ $requester }> · opened { $opened }
show-details = Details: { $details }
show-earlier = … { $count } earlier entries not shown
show-closed = Closed { $at } at level { $level } by <@{ $by }>: { $resolution }
show-root-cause = Root cause: { $cause }
show-fix-type = Fix type: { $fix }
show-kb = Knowledge article: { $article }
show-timeline = Timeline:

the-bot = tierdesk
ev-opened = opened it ({ $priority }) at level { $level }
ev-note = noted: { $text }
ev-note-internal = noted (internal): { $text }
ev-acknowledged = acknowledged it after { $after }
ev-assigned = assigned it to <@{ $assignee }>
ev-priority = changed the priority from { $from } to { $to }
ev-escalated = escalated it from level { $from } to { $to }: { $reason }; tried: { $attempts }
ev-escalated-auto = escalated it from level { $from } to { $to } (no acknowledgement in time): { $reason }; tried: { $attempts }
ev-field = { $line }; { $name }: { $value }
ev-vendor = handed it to { $vendor } ({ $vendor_reason }): { $reason }; tried: { $attempts }
ev-vendor-case = handed it to { $vendor } ({ $vendor_reason }, case { $case }): { $reason }; tried: { $attempts }
ev-vendor-case-recorded = recorded the vendor case { $case }
ev-returned = returned it from level { $from } to { $to } ({ $reason }): { $note }
ev-paged = paged level { $level } (<@&{ $role }>)
ev-repaged = re-paged level { $level } (<@&{ $role }>), time { $count }
ev-admins-paged = paged the admins (<@&{ $role }>): nobody acknowledged in time
ev-closed = closed it: { $resolution }
ev-closed-cause = closed it: { $resolution } (root cause: { $cause })
ev-reopened = reopened it at level { $level }: { $reason }
ev-alert-repeated = the alert from { $source } fired again ({ $count } times in all)
ev-alert-resolved = the alert from { $source } resolved at the source
page-quiet = (the desk is closed: no ping now; the role is pinged when it opens)
opening-ping = [desk open → channel { $channel } · pings <@&{ $role }> at { $at }] waiting since the desk was closed: { $card }
opening-ping-text = <@&{ $role }> the desk is open: #{ $number } { $title } waits for { $level_name }.
sla-warn-ack = Ticket #{ $number } { $title } must be acknowledged by { $due }.
sla-warn-resolve = Ticket #{ $number } { $title } must be resolved by { $due }.
thread-reminder = <@{ $user }>, this ticket waits for your answer. Reply here with a note, or it will be closed.
thread-resumed = <@{ $user }>, the requester answered: the ticket is back with you.
ev-sla-breached = missed its target to { $target }
ev-waiting = waits on the { $on }: { $note }
ev-resumed = the requester answered; the clocks run again
ev-reminded = reminded the requester
ev-rated = rated it { $score }/5
ev-kb-suggested = suggested the articles { $articles }
ev-kb-linked = linked the article { $article }
ev-kb-linked-suggested = linked the article { $article } (suggested at opening)
ev-line = { $at } { $who } { $what }
ev-line-unstamped = { $who } { $what }

page-content = <@&{ $role }> ticket #{ $number } for { $level_name }
page-field-priority = Priority
page-field-level = Level
page-field-status = Status
page-field-owner = Now owned by
page-field-assignee = Assignee
page-field-due = Acknowledge
button-ack = Acknowledge
button-assign = Assign to me
button-thread = Thread
page-head = [page → channel { $channel } · { $level_name } · pings <@&{ $role }>]
page-alert = opened by an alert from { $source }
page-on-call = (on call: <@{ $user }>)
page-opened = opened by <@{ $by }>
page-escalated = escalated from level { $from }
page-escalated-auto = escalated from level { $from } (no acknowledgement in time)
page-reason = reason: { $reason }
page-attempts = attempts: { $attempts }
page-returned = returned from level { $from } ({ $reason })
page-needed = needed: { $note }
page-reopened = reopened: { $reason }
page-vendor = handed to { $vendor } ({ $vendor_reason })
page-vendor-case = handed to { $vendor } ({ $vendor_reason }), case { $case }
page-due = acknowledge by { $due }
repage-head = [re-page { $count }/{ $limit } → channel { $channel } · { $level_name } · pings <@&{ $role }>]
repage-body = still not acknowledged: { $card }
admin-page-head = [admin page → channel { $channel } · pings <@&{ $role }>]
admin-page-body = nobody at level 3 acknowledged after { $repages } re-page(s): { $card }
page-edited = [page of #{ $number } edited] { $card }
thread-opened = [thread opened in channel { $channel }] #{ $number } { $title }
thread-post = [thread #{ $number }] { $event }
delivery-failed-head = [delivery failed → channel { $channel } · pings <@&{ $role }>]
delivery-failed = A { $what } message could not be delivered after a day of retries and was set aside ({ $error }). Run `tierdesk doctor` to check the bot's permissions.
delivery-failed-ticket = A { $what } message of ticket #{ $number } could not be delivered after a day of retries and was set aside ({ $error }). Run `tierdesk doctor` to check the bot's permissions.
handoff-head = [page role <@&{ $role }> → <@{ $on }> +{ $off }]
handoff-shift = <@{ $on }> is now on call for { $level_name } until { $until }.
handoff-override = <@{ $on }> is on call for { $level_name } until { $until }, put there by <@{ $by }>.
handoff-override-ended = The override is over: <@{ $on }> is back on call for { $level_name } until { $until }.
role-refused = tierdesk may not hand out the page role <@&{ $role }> of level { $level }: give the bot "Manage Roles" and drag its role above that role (Server Settings → Roles), then run `tierdesk doctor`. It keeps trying.
summary-head = [summary → channel { $channel }]

summary-title = Backlog summary for { $day } — { $open } open ticket(s)
summary-open = Open tickets by level and priority:
summary-open-line = level { $level } ({ $level_name }) · { $priority }: { $count }{ $change }
summary-overdue = Past their acknowledgement deadline: { $count }
summary-oldest = Oldest open tickets:
summary-ticket = #{ $number } { $title } · { $priority } · level { $level } · open for { $age }
summary-activity = Last 24 hours: { $opened } opened · { $escalated } escalated · { $returned } returned · { $closed } closed · { $reopened } reopened
summary-figures = Key figures, last { $days } days:
fig-level = level { $level } ({ $level_name }): reached { $reached } · resolved here { $resolved } · escalated { $escalated } · response { $response } · backlog { $backlog } (age { $age })
fig-sla = SLA level { $level } · { $priority }: acknowledged in time { $ack } (of { $acked }) · resolved in time { $resolved } (of { $closed })
summary-breaches = Missed targets in the last 24 hours:
summary-breach = #{ $number } { $title } · { $target }
fig-resolution = time to resolution: { $spread } ({ $count } closed)
fig-priority = { $priority }: { $spread }
fig-knowledge = solved with a knowledge article: { $solved } ({ $suggested } suggested at opening)
fig-satisfaction = satisfaction: { $share } rated 4–5 ({ $count } rating(s))
spread = median { $median } · p90 { $p90 }

# The summary's chart (PNG in Discord, SVG on the dashboard).
chart-open-title = Open tickets per level, last { $days } days
chart-resolution-title = Median time to resolution per day
chart-axis-tickets = tickets
chart-axis-hours = hours
chart-level = Level { $level } · { $name }
chart-day = { $month }/{ $day }

repage-text = <@&{ $role }> ticket #{ $number } for { $level_name } is still not acknowledged after { $waited }: re-page { $count } of { $limit }.
admin-page-text = <@&{ $role }> nobody at { $level_name } acknowledged ticket #{ $number } after { $repages } re-page(s): it needs an admin.
admin-notice = <@&{ $role }> { $body }
delivery-what = { $kind ->
    [page] page
    [repage] re-page
    [admin_page] admin page
    [page_update] page edit
    [thread_open] ticket thread
    [thread_post] thread post
    [thread_mention] thread mention
    [summary] daily summary
    [handoff] on-call handoff
    [opening_ping] desk-opening ping
    [sla_warning] SLA warning
    [member_gone] notice
   *[other] { $kind }
}
member-gone = <@{ $member }> is on the { $level_name } rotation but is no longer in the server: the page role went to nobody for this shift. Remove them from `[[rotation]] members` in bot.toml.
