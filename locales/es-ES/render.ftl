priority-critical = crítica
priority-high = alta
priority-normal = normal
priority-low = baja
status-open = abierto
status-acknowledged = reconocido
status-waiting = en espera
status-closed = cerrado
ticket-line = #{ $number } { $title } · { $priority } · nivel { $level } ({ $level_name }) · { $status }
ticket-waiting-on = { $line } con { $vendor }
ticket-vendor-case = { $line } (caso { $case })
ticket-assigned = { $line } · asignado a <@{ $assignee }>
reply-more-lines = …y { $count } línea(s) más; acota la búsqueda (por ejemplo `/queue level:1 status:open`).
reply-other-guild = tierdesk atiende a otro servidor; aquí no se ha hecho nada.
reply-busy = El servicio de ayuda está muy ocupado ahora mismo y no pudo abrir el formulario a tiempo. Inténtalo de nuevo en un momento.
reply-form-expired = Este formulario es demasiado antiguo (sus opciones se guardan un día). Vuelve a ejecutar el comando.
reply-oncall-none = Ningún nivel tiene guardias rotativas.
reply-oncall-level = Nivel { $level } ({ $level_name }): { $now }; después: { $next }
reply-oncall-shift = <@{ $user }> hasta { $until }
reply-override = Guardia del nivel { $level } ({ $level_name }): { $now }. Después vuelve la rotación.
reply-opened-closed = El servicio está cerrado: abre { $at } y tu ticket se avisará entonces. Un ticket crítico avisa de inmediato.
show-target = resolver antes de { $due }
show-target-paused = resolver antes de { $due } (en pausa mientras espera)
reply-waiting = En espera: { $line }. Sus relojes se pararon; no hay más avisos.
page-field-target = Resolver antes de
reply-shutting-down = tierdesk se está reiniciando; no se ha hecho nada. Inténtalo de nuevo en un momento.
only-you = (solo tú puedes ver esto)

reply-opened = Ticket abierto: { $line }
reply-opened-due = El nivel { $level } tiene hasta el { $due } para reconocerlo. Síguelo en el hilo del ticket.
reply-suggestions = Estos artículos pueden resolverlo ya mismo (el ticket sigue abierto):
reply-suggestion = { $article } { $title } — `/kb show article:{ $article }`
reply-noted-internal = Nota añadida a #{ $number } (interna: solo agentes).
reply-noted-public = Nota añadida a #{ $number } (pública).
reply-acknowledged = Reconocido: { $line }
reply-assigned = Asignado: { $line }
reply-escalated = Ticket #{ $number } escalado al nivel { $level } ({ $level_name }), que ha sido avisado.
reply-sent-to-vendor = Ticket #{ $number } pasado al proveedor; el nivel 3 sigue siendo responsable mientras espera: { $line }
reply-vendor-case = Caso del proveedor anotado en #{ $number }: { $line }
reply-returned = Ticket #{ $number } devuelto al nivel { $level } ({ $level_name }), que ha sido avisado.
reply-priority = Prioridad cambiada: { $line }
reply-closed = Ticket #{ $number } cerrado en el nivel { $level }.
reply-reopened = Ticket #{ $number } reabierto en el nivel { $level } ({ $level_name }), que ha sido avisado.
reply-rated = Gracias: has valorado el ticket #{ $number } con { $score }/5.
reply-queue-level = Cola del nivel { $level } ({ $level_name })
reply-queue-all = Todas las colas
reply-queue-status = { $head }, solo { $status }
reply-queue-count = { $head }: { $count } ticket(s)
reply-stats = Cifras clave, últimos { $days } día(s)
reply-stats-level = { $head }, solo el nivel { $level }
reply-summary-posted = Resumen de pendientes publicado en el canal de resúmenes: { $open } ticket(s) abiertos, { $overdue } fuera de plazo.
reply-kb-written = Artículo { $article } escrito: { $title }. Léelo con `/kb show article:{ $article }`.
reply-kb-edited = Artículo { $article } actualizado: { $title }.
reply-kb-none = Ningún artículo coincide con «{ $query }». Prueba otras palabras, o abre un ticket con `/ticket open`.
reply-kb-results = Artículos para «{ $query }»:
reply-kb-hit = { $article } { $title } — { $snippet }
reply-kb-read = Lee uno con `/kb show article:KB-…`.
kb-tags = Etiquetas: { $tags }
kb-source = Escrito a partir del ticket #{ $number }.
kb-history = Historial:
kb-wrote = <@{ $editor }> lo escribió
kb-edited = <@{ $editor }> lo editó

show-requester = Solicitante: <@{ $requester }> · abierto el { $opened }
show-details = Detalles: { $details }
show-earlier = … { $count } entradas anteriores no se muestran
show-closed = Cerrado el { $at } en el nivel { $level } por <@{ $by }>: { $resolution }
show-root-cause = Causa raíz: { $cause }
show-fix-type = Tipo de solución: { $fix }
show-kb = Artículo de conocimiento: { $article }
show-timeline = Historial:

the-bot = tierdesk
ev-opened = lo abrió ({ $priority }) en el nivel { $level }
ev-note = anotó: { $text }
ev-note-internal = anotó (interna): { $text }
ev-acknowledged = lo reconoció tras { $after }
ev-assigned = lo asignó a <@{ $assignee }>
ev-priority = cambió la prioridad de { $from } a { $to }
ev-escalated = lo escaló del nivel { $from } al { $to }: { $reason }; intentos: { $attempts }
ev-escalated-auto = lo escaló del nivel { $from } al { $to } (nadie lo reconoció a tiempo): { $reason }; intentos: { $attempts }
ev-field = { $line }; { $name }: { $value }
ev-vendor = lo pasó a { $vendor } ({ $vendor_reason }): { $reason }; intentos: { $attempts }
ev-vendor-case = lo pasó a { $vendor } ({ $vendor_reason }, caso { $case }): { $reason }; intentos: { $attempts }
ev-vendor-case-recorded = anotó el caso del proveedor { $case }
ev-returned = lo devolvió del nivel { $from } al { $to } ({ $reason }): { $note }
ev-paged = avisó al nivel { $level } (<@&{ $role }>)
ev-repaged = volvió a avisar al nivel { $level } (<@&{ $role }>), vez { $count }
ev-admins-paged = avisó a los administradores (<@&{ $role }>): nadie lo reconoció a tiempo
ev-closed = lo cerró: { $resolution }
ev-closed-cause = lo cerró: { $resolution } (causa raíz: { $cause })
ev-reopened = lo reabrió en el nivel { $level }: { $reason }
ev-alert-repeated = la alerta de { $source } volvió a dispararse ({ $count } veces en total)
ev-alert-resolved = la alerta de { $source } se resolvió en el origen
page-quiet = (el servicio está cerrado: no se avisa ahora; se avisará al rol cuando abra)
opening-ping = [apertura → canal { $channel } · menciona <@&{ $role }> a las { $at }] esperando desde que el servicio estaba cerrado: { $card }
opening-ping-text = <@&{ $role }> el servicio abre: #{ $number } { $title } espera a { $level_name }.
sla-warn-ack = El ticket #{ $number } { $title } debe reconocerse antes de { $due }.
sla-warn-resolve = El ticket #{ $number } { $title } debe resolverse antes de { $due }.
thread-reminder = <@{ $user }>, este ticket espera tu respuesta. Responde aquí con una nota o se cerrará.
thread-resumed = <@{ $user }>, el solicitante respondió: el ticket vuelve a ti.
ev-sla-breached = incumplió su objetivo de { $target }
ev-waiting = espera a { $on }: { $note }
ev-resumed = el solicitante respondió; los relojes vuelven a correr
ev-reminded = se recordó al solicitante
ev-rated = lo valoró con { $score }/5
ev-kb-suggested = sugirió los artículos { $articles }
ev-kb-linked = enlazó el artículo { $article }
ev-kb-linked-suggested = enlazó el artículo { $article } (sugerido al abrirlo)
ev-line = { $at } { $who } { $what }
ev-line-unstamped = { $who } { $what }

page-content = <@&{ $role }> ticket #{ $number } para { $level_name }
page-field-priority = Prioridad
page-field-level = Nivel
page-field-status = Estado
page-field-owner = Ahora en
page-field-assignee = Asignado a
page-field-due = Reconocer
button-ack = Reconocer
button-assign = Asignármelo
button-thread = Hilo
page-head = [aviso → canal { $channel } · { $level_name } · menciona <@&{ $role }>]
page-alert = abierto por una alerta de { $source }
page-on-call = (de guardia: <@{ $user }>)
page-opened = abierto por <@{ $by }>
page-escalated = escalado desde el nivel { $from }
page-escalated-auto = escalado desde el nivel { $from } (nadie lo reconoció a tiempo)
page-reason = motivo: { $reason }
page-attempts = intentos: { $attempts }
page-returned = devuelto desde el nivel { $from } ({ $reason })
page-needed = hace falta: { $note }
page-reopened = reabierto: { $reason }
page-vendor = pasado a { $vendor } ({ $vendor_reason })
page-vendor-case = pasado a { $vendor } ({ $vendor_reason }), caso { $case }
page-due = reconocer antes del { $due }
repage-head = [nuevo aviso { $count }/{ $limit } → canal { $channel } · { $level_name } · menciona <@&{ $role }>]
repage-body = sigue sin reconocer: { $card }
admin-page-head = [aviso a administradores → canal { $channel } · menciona <@&{ $role }>]
admin-page-body = nadie del nivel 3 lo reconoció tras { $repages } aviso(s): { $card }
page-edited = [aviso de #{ $number } editado] { $card }
thread-opened = [hilo abierto en el canal { $channel }] #{ $number } { $title }
thread-post = [hilo #{ $number }] { $event }
delivery-failed-head = [entrega fallida → canal { $channel } · menciona <@&{ $role }>]
delivery-failed = Un mensaje { $what } no se pudo entregar tras un día de reintentos y se apartó ({ $error }). Ejecuta `tierdesk doctor` para revisar los permisos del bot.
delivery-failed-ticket = Un mensaje { $what } del ticket #{ $number } no se pudo entregar tras un día de reintentos y se apartó ({ $error }). Ejecuta `tierdesk doctor` para revisar los permisos del bot.
handoff-head = [rol de aviso <@&{ $role }> → <@{ $on }> +{ $off }]
handoff-shift = <@{ $on }> está de guardia en { $level_name } hasta { $until }.
handoff-override = <@{ $on }> está de guardia en { $level_name } hasta { $until }, a petición de <@{ $by }>.
handoff-override-ended = Terminó la sustitución: <@{ $on }> vuelve a estar de guardia en { $level_name } hasta { $until }.
role-refused = tierdesk no puede entregar el rol de aviso <@&{ $role }> del nivel { $level }: da al bot «Gestionar roles» y sube su rol por encima de ese rol (Ajustes del servidor → Roles); luego ejecuta `tierdesk doctor`. Lo seguirá intentando.
summary-head = [resumen → canal { $channel }]

summary-title = Resumen de pendientes del { $day } — { $open } ticket(s) abiertos
summary-open = Tickets abiertos por nivel y prioridad:
summary-open-line = nivel { $level } ({ $level_name }) · { $priority }: { $count }{ $change }
summary-overdue = Fuera de su plazo de reconocimiento: { $count }
summary-oldest = Tickets abiertos más antiguos:
summary-ticket = #{ $number } { $title } · { $priority } · nivel { $level } · abierto desde hace { $age }
summary-activity = Últimas 24 horas: { $opened } abiertos · { $escalated } escalados · { $returned } devueltos · { $closed } cerrados · { $reopened } reabiertos
summary-figures = Cifras clave, últimos { $days } días:
fig-level = nivel { $level } ({ $level_name }): llegados { $reached } · resueltos aquí { $resolved } · escalados { $escalated } · respuesta { $response } · pendientes { $backlog } (antigüedad { $age })
fig-sla = SLA nivel { $level } · { $priority }: reconocidos a tiempo { $ack } (de { $acked }) · resueltos a tiempo { $resolved } (de { $closed })
summary-breaches = Objetivos incumplidos en las últimas 24 horas:
summary-breach = #{ $number } { $title } · { $target }
fig-resolution = tiempo de resolución: { $spread } ({ $count } cerrados)
fig-priority = { $priority }: { $spread }
fig-knowledge = resueltos con un artículo de conocimiento: { $solved } ({ $suggested } sugeridos al abrirlos)
fig-satisfaction = satisfacción: { $share } valoraron 4–5 ({ $count } valoración(es))
spread = mediana { $median } · p90 { $p90 }

# El gráfico del resumen (PNG en Discord, SVG en el panel).
chart-open-title = Tickets abiertos por nivel, últimos { $days } días
chart-resolution-title = Mediana del tiempo de resolución por día
chart-axis-tickets = tickets
chart-axis-hours = horas
chart-level = Nivel { $level } · { $name }
chart-day = { $day }/{ $month }

repage-text = <@&{ $role }> el ticket #{ $number } de { $level_name } sigue sin confirmar tras { $waited }: nuevo aviso { $count } de { $limit }.
admin-page-text = <@&{ $role }> nadie de { $level_name } confirmó el ticket #{ $number } tras { $repages } aviso(s): necesita a un administrador.
admin-notice = <@&{ $role }> { $body }
delivery-what = { $kind ->
    [page] aviso
    [repage] nuevo aviso
    [admin_page] aviso a administradores
    [page_update] edición de aviso
    [thread_open] hilo del ticket
    [thread_post] mensaje del hilo
    [thread_mention] mención en el hilo
    [summary] resumen diario
    [handoff] relevo de guardia
    [opening_ping] aviso de apertura
    [sla_warning] alerta de SLA
    [member_gone] aviso
   *[other] { $kind }
}
member-gone = <@{ $member }> está en la rotación de { $level_name } pero ya no está en el servidor: el rol de aviso no pasó a nadie en este turno. Quítalo de `[[rotation]] members` en bot.toml.
