#!/usr/bin/env bash
# A private Dovecot (Debian's dovecot-imapd) for the IMAP benchmark: one user with a plaintext
# password, a Maildir, IMAPS only, on a port of our choosing, with the given PEM certificate.
# Runs as root (it switches to nobody for the mail and dovenull for logins) and never touches
# the system's Dovecot configuration.
#
# usage: dovecot.sh start DIR PORT USER PASSWORD CERT_PEM KEY_PEM   (the Maildir is DIR/mail)
#        dovecot.sh stop DIR
set -euo pipefail
command=$1 dir=$2
if [[ $command == stop ]]; then
  doveadm -c "$dir/dovecot.conf" stop 2>/dev/null || true
  exit 0
fi
port=$3 user=$4 password=$5 cert=$6 key=$7
mkdir -p "$dir/run" "$dir/state" "$dir/home/$user" "$dir/mail/cur" "$dir/mail/new" "$dir/mail/tmp"
printf '%s:{PLAIN}%s\n' "$user" "$password" > "$dir/passwd"
chown -R nobody:nogroup "$dir/mail" "$dir/home"
cat > "$dir/dovecot.conf" <<CONF
protocols = imap
listen = 127.0.0.1
base_dir = $dir/run
state_dir = $dir/state
log_path = $dir/dovecot.log
info_log_path = $dir/dovecot.log
ssl = required
ssl_cert = <$cert
ssl_key = <$key
disable_plaintext_auth = yes
auth_mechanisms = plain login
default_internal_user = dovecot
default_login_user = dovenull
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $dir/passwd
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=$dir/home/%u
}
mail_location = maildir:$dir/mail
first_valid_uid = 1
mail_max_userip_connections = 1000
service auth {
  client_limit = 1000
}
service anvil {
  client_limit = 1000
}
# Every TLS connection keeps its login process (it proxies TLS): room for the idle-connection test.
service imap-login {
  process_limit = 500
  inet_listener imap {
    port = 0
  }
  inet_listener imaps {
    port = $port
    ssl = yes
  }
}
CONF
dovecot -c "$dir/dovecot.conf"
for _ in $(seq 50); do
  [[ -f "$dir/run/master.pid" ]] && break
  sleep 0.1
done
cat "$dir/run/master.pid"
