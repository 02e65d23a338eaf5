#!/usr/bin/env bash
# The benchmark's peer: Debian's Postfix (SMTP on 127.0.0.1:SMTP_PORT) delivering every message
# for @bench.example over LMTP to Debian's Dovecot (127.0.0.1:LMTP_PORT, Maildir), each with a
# private configuration, queue and mail directory under DIR, so that nothing of the machine's
# own mail setup is used or changed. Needs root (both daemons drop privileges themselves).
#
#   postfix-dovecot.sh start DIR SMTP_PORT LMTP_PORT
#   postfix-dovecot.sh stop DIR
#   postfix-dovecot.sh count DIR      # messages Dovecot has stored
#   postfix-dovecot.sh pids DIR       # the pids of Postfix's and Dovecot's master processes
set -euo pipefail

command=${1:?usage: $0 start|stop|count DIR [SMTP_PORT LMTP_PORT]}
dir=${2:?DIR}

install_packages() {
  local missing=()
  for package in postfix dovecot-core dovecot-lmtpd; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  if ((${#missing[@]})); then
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

case "$command" in
start)
  smtp_port=${3:?SMTP_PORT}
  lmtp_port=${4:?LMTP_PORT}
  [[ $(id -u) -eq 0 ]] || { echo "run as root" >&2; exit 1; }
  install_packages
  mkdir -p "$dir"/postfix/etc "$dir"/postfix/queue "$dir"/postfix/data "$dir"/dovecot/run "$dir"/dovecot/state "$dir"/dovecot/mail
  chmod 755 "$dir" "$dir"/postfix "$dir"/dovecot
  chown postfix "$dir"/postfix/data
  chown 65534:65534 "$dir"/dovecot/mail

  cat > "$dir"/dovecot/dovecot.conf <<CONF
base_dir = $dir/dovecot/run
state_dir = $dir/dovecot/state
log_path = $dir/dovecot/dovecot.log
protocols = lmtp
listen = 127.0.0.1
ssl = no
first_valid_uid = 1
mail_location = maildir:$dir/dovecot/mail/%n
userdb {
  driver = static
  args = uid=65534 gid=65534 home=$dir/dovecot/mail/%n
}
passdb {
  driver = static
  args = nopassword=y
}
service lmtp {
  process_min_avail = 4
  inet_listener lmtp {
    address = 127.0.0.1
    port = $lmtp_port
  }
}
CONF
  # The daemons must not keep the caller's stdout/stderr open.
  dovecot -c "$dir"/dovecot/dovecot.conf </dev/null >/dev/null 2>&1

  cat > "$dir"/postfix/etc/main.cf <<CONF
compatibility_level = 3.6
queue_directory = $dir/postfix/queue
data_directory = $dir/postfix/data
mail_owner = postfix
setgid_group = postdrop
myhostname = bench.localhost
mydomain = localhost
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
alias_maps =
alias_database =
local_recipient_maps =
virtual_mailbox_domains = bench.example
virtual_transport = lmtp:inet:127.0.0.1:$lmtp_port
smtpd_recipient_restrictions = permit_mynetworks, reject_unauth_destination
smtpd_client_connection_count_limit = 0
smtpd_client_connection_rate_limit = 0
default_process_limit = 200
maillog_file = $dir/postfix/maillog
maillog_file_prefixes = $dir
meta_directory = /etc/postfix
message_size_limit = 36700160
CONF
  cat > "$dir"/postfix/etc/master.cf <<CONF
127.0.0.1:$smtp_port inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
CONF
  postfix -c "$dir"/postfix/etc check >/dev/null 2>&1 || true
  postfix -c "$dir"/postfix/etc start </dev/null >/dev/null 2>&1
  ;;
stop)
  postfix -c "$dir"/postfix/etc stop 2>/dev/null || true
  doveadm -c "$dir"/dovecot/dovecot.conf stop 2>/dev/null || dovecot -c "$dir"/dovecot/dovecot.conf stop 2>/dev/null || true
  ;;
pids)
  # Postfix holds a lock on its pid file; cat reads it regardless.
  for file in "$dir"/postfix/queue/pid/master.pid "$dir"/dovecot/run/master.pid; do
    [[ -s $file ]] && tr -d ' ' < "$file"
  done
  ;;
count)
  find "$dir"/dovecot/mail -path '*/new/*' -o -path '*/cur/*' -type f 2>/dev/null | grep -c . || true
  ;;
*)
  echo "unknown command $command" >&2
  exit 2
  ;;
esac
