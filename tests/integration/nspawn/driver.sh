#!/bin/bash
# Runs inside the booted container (as the oneshot wn-driver.service): the
# service's life as an administrator sees it, each step's outcome written
# as KEY=VALUE to /results/result.txt for test_nspawn.py to check, then
# power off.  Never fails itself: every outcome is data.
exec >/results/driver.log 2>&1
set -x
res=/results/result.txt
: >"$res"
put() { printf '%s=%s\n' "$1" "$2" >>"$res"; }
conf=$(systemctl show -P ExecStart winnowd.service | grep -o -- '-c [^ ;]*' | head -1 | cut -c4-)
winnowd=$(systemctl show -P ExecStart winnowd.service | grep -o 'path=[^ ;]*' | head -1 | cut -c6-)
put conf "$conf"
stored() { "$winnowd" export -c "$conf" 2>/dev/null | wc -l; }

# 1. start: with Type=notify, systemctl returns once READY=1 arrived.
start=$(date +%s%N)
systemctl start winnowd.service
put start_rc $?
put start_ms $(( ($(date +%s%N) - start) / 1000000 ))
put type "$(systemctl show -P Type winnowd.service)"
put active "$(systemctl show -P ActiveState winnowd.service)/$(systemctl show -P SubState winnowd.service)"
put user "$(stat -c %U /proc/"$(systemctl show -P MainPID winnowd.service)")"
put watchdog_usec "$(systemctl show -P WatchdogUSec winnowd.service)"
if [ "$(systemctl show -P ActiveState winnowd.service)" != active ]; then
    journalctl -u winnowd.service --no-pager >/results/journal.txt
    put done start-failed
    systemctl poweroff --no-block
    exit 0
fi

# 2. it fetches from the server on the host
for _ in $(seq 120); do
    [ "$(stored)" -ge "${WN_WANT:-1}" ] && break
    sleep 0.5
done
put stored_before_reload "$(stored)"
wd1=$(systemctl show -P WatchdogTimestampMonotonic winnowd.service)
sleep 16
wd2=$(systemctl show -P WatchdogTimestampMonotonic winnowd.service)
put status "$(systemctl show -P StatusText winnowd.service)"
put watchdog_pinged "$([ -n "$wd2" ] && [ "$wd2" != 0 ] && [ "$wd2" != "$wd1" ] && echo yes || echo no)"

# 3. the sandbox, seen from inside the service's own namespaces
pid=$(systemctl show -P MainPID winnowd.service)
probe() { nsenter -t "$pid" -m -- setpriv --reuid=winnow --regid=winnow --clear-groups \
          --inh-caps=-all sh -c "$1" 2>&1 | tr '\n' ' '; }
confdir=$(dirname "$conf")
put write_state "$(probe 'echo x > /var/lib/winnow/probe && echo allowed || echo refused')"
put write_etc "$(probe "echo x > $confdir/probe && echo allowed || echo refused")"
put write_etc_root "$(probe 'echo x > /etc/probe && echo allowed || echo refused')"
put write_usr "$(probe 'echo x > /usr/probe && echo allowed || echo refused')"
put write_var_tmp_shared "$(probe 'echo x > /var/tmp/probe-from-service; test -e /var/tmp/probe-from-service && echo private-or-written')"
put host_var_tmp_sees "$(test -e /var/tmp/probe-from-service && echo yes || echo no)"
put home_visible "$(probe 'ls /root >/dev/null 2>&1 && echo yes || echo no')"
put caps "$(grep CapEff /proc/"$pid"/status | awk '{print $2}')"
put no_new_privs "$(grep NoNewPrivs /proc/"$pid"/status | awk '{print $2}')"
put seccomp "$(grep '^Seccomp:' /proc/"$pid"/status | awk '{print $2}')"
put security "$(systemd-analyze security --no-pager winnowd.service 2>&1 | grep -o 'level for winnowd.service: [0-9.]*' | awk '{print $NF}')"

# 4. reload: the journal shows it, the service stays up, same main PID
echo "[feed:added]" >>"$conf"
echo "url = ${WN_ADDED_URL}" >>"$conf"
systemctl reload winnowd.service
put reload_rc $?
sleep 2
put pid_kept "$([ "$(systemctl show -P MainPID winnowd.service)" = "$pid" ] && echo yes || echo no)"
put active_after_reload "$(systemctl show -P ActiveState winnowd.service)"
for _ in $(seq 60); do
    [ "$(stored)" -ge "${WN_WANT_AFTER:-1}" ] && break
    sleep 0.5
done
put stored_after_reload "$(stored)"

# 5. stop: exit 0, the journal has the line, priorities came through
systemctl stop winnowd.service
put stop_rc $?
put result "$(systemctl show -P Result winnowd.service)"
put exit_status "$(systemctl show -P ExecMainStatus winnowd.service)"
journalctl -u winnowd.service -o json --no-pager >/results/journal.json
journalctl -u winnowd.service --no-pager >/results/journal.txt
put journal_lines "$(wc -l </results/journal.txt)"
put done yes
systemctl poweroff --no-block
