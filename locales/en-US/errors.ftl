# Refusals: what was wrong and how to do it right.
err-unknown-ticket = There is no ticket #{ $ticket } in this server. Check the number with `/queue`, or pick one from the list as you type.
err-bad-ticket-number = `{ $value }` is not a ticket number. Use the number shown as #42, for example `ticket:42`.
err-not-an-agent = Only support agents can { $action }. Ask an admin for the role of your support level.
err-bad-article = `{ $value }` is not an article reference. Use the number shown as KB-12, for example `article:KB-12`.
err-unknown-article = There is no article { $article }. Find one with `/kb search query:…`.
err-not-kb-author = Only level 3 agents and admins can { $action } knowledge articles.
err-source-not-closed = Ticket #{ $ticket } is not closed: an article is prefilled from a ticket's closure details. Close it first, or write the article with `title` and `body`.
err-nothing-to-edit = Nothing to change: give a new `title`, `body` or `tags`.
err-not-admin = Only admins can { $action }.
err-level-too-low = Ticket #{ $ticket } is owned by level { $owner }; only agents of level { $owner } or above can { $action } it (your highest level is { $yours }). You can still add a note with `/ticket note`.
err-not-requester-or-agent = Only the requester of ticket #{ $ticket } or a support agent can { $action } it.
err-requester-internal-note = As the requester you can only add public notes: leave out `internal`, or set `internal:false`.
err-ticket-closed = Ticket #{ $ticket } is closed. Reopen it first with `/ticket reopen ticket:{ $ticket } reason:…`.
err-not-closed = Ticket #{ $ticket } is not closed, so there is nothing to reopen.
err-already-assigned = Ticket #{ $ticket } is already assigned to <@{ $assignee }>; nothing changed.
err-already-waiting = Ticket #{ $ticket } already waits on the { $on }; nothing changed.
action-wait = put it to wait
err-already-acknowledged = Ticket #{ $ticket } was already acknowledged; nothing changed.
err-already-acknowledged-by = Ticket #{ $ticket } was already acknowledged (assigned to <@{ $assignee }>); nothing changed.
err-nothing-to-acknowledge = Ticket #{ $ticket } is waiting on { $on ->
        [vendor] the vendor
       *[other] the requester
    }; there is nothing to acknowledge. Add a note with `/ticket note` to follow it up.
err-escalation-incomplete = To escalate ticket #{ $ticket } to level { $to } you must also give: { $missing }. Example: `/ticket escalate ticket:{ $ticket } reason:"disk full on db-2" attempts:"cleared /tmp, restarted the service"`.
missing-reason = `reason` (why it needs the next level)
missing-attempts = `attempts` (the recovery attempts already made)
missing-vendor = `vendor` (one of: { $vendors })
missing-vendor-reason = `vendor_reason` ({ $choices })
missing-field = `{ $field }` ({ $what }; level { $to } asks for it)
field-impact = who or what is affected
field-error = the exact error message
field-steps = the steps to reproduce it
err-already-with-vendor = Ticket #{ $ticket } is already with the vendor { $vendor }; level 4 is the top of the ladder. Follow it up with `/ticket note`, or close it when the vendor has fixed it.
err-vendor-needs-level3 = Only level 3 agents (or admins) can hand a ticket to a vendor (level 4).
err-unknown-vendor = `{ $given }` is not a configured vendor. Choose one of: { $known }.
err-no-vendors = No vendors are configured, so nothing can be escalated to level 4. An admin can add `[[vendor]]` entries to bot.toml.
err-bad-return-level = Ticket #{ $ticket } is at level { $from }; it can only be returned to a lower level from 1 to { $below }.
err-not-an-owning-level = Tickets are owned by levels 1 to 3: level 0 is self-service (knowledge articles) and level 4 is reached by escalating from level 3 to a vendor. Use `level:1`, `level:2` or `level:3`.
err-open-above-level = To open a ticket at level { $level } you must be an agent of level { $level } or above; leave out `level` to open it at the service desk (level 1).
err-root-cause-required = Closing a { $priority } ticket needs the root cause too: add `root_cause:"…"`.
err-same-priority = Ticket #{ $ticket } is already { $priority }; nothing changed.
err-too-long = `{ $field }` is too long: { $len } characters, at most { $max }. Shorten it, or put the long part in a note.
err-empty = `{ $field }` must not be empty.
err-missing = `{ $field }` is missing. { $hint }
err-bad-choice = `{ $value }` is not a valid `{ $field }`. Choose one of: { $allowed }.
err-bad-value = `{ $value }` is not a valid `{ $field }`: { $hint }
err-out-of-range = `{ $value }` is not a valid `{ $field }`: give a whole number from { $min } to { $max }.
err-only-requester-rates = Only the requester of ticket #{ $ticket } can rate it.
err-rate-before-close = Ticket #{ $ticket } is not closed yet; you can rate it once it is.
err-already-rated = You already rated ticket #{ $ticket } ({ $score }/5); the first rating counts.
err-unknown-option = `{ $command }` has no option `{ $option }`. Its options are: { $allowed }.
err-duplicate-option = `{ $option }` was given twice; give it once.
err-no-rotation = Level { $level } has no on-call rotation: add a [[rotation]] for it in bot.toml.
err-override-not-allowed = Only agents of level { $level } and admins may put someone on call there.
err-bad-until = `until:{ $until }` is not a time to come: write a duration such as `8h`, a local time such as `18:00`, or a date and time such as `2026-12-01 09:00` (at most 31 days away).
err-unknown-command = Unknown command `{ $command }`. Commands: { $commands }.
err-syntax = Could not read that line: { $detail }. Write options as name:value, and quote values with spaces: title:"VPN down".
err-internal = Something went wrong on our side and nothing was changed. Try again in a minute; if it keeps failing, tell an admin (the details are in the bot's log).
level-none = none

# What a refused member tried to do, inside the messages above.
action-acknowledge = acknowledge
action-assign = assign
action-escalate = escalate
action-return = return
action-close = close
action-reopen = reopen
action-see = see
action-note = add a note to
action-priority = change the priority of
action-list-queues = list the queues
action-see-figures = see the key figures
action-post-summary = post the summary
action-write = write
action-edit = edit

# Hints for values that could not be read.
hint-level = support levels are numbered 0 to 4 (1 service desk, 2 technical support, 3 experts).
hint-bool = write true or false.
hint-user = give a member as a mention (<@123…>) or a user id.
hint-article-title = Give the article a title, or prefill it with `from_ticket:`.
hint-article-body = Write the article's text, or prefill it with `from_ticket:`.
