#!/bin/sh
# Regenerates the certificate fixtures used by kazasu-core's unit tests (test keys only, never real ones).
# A test CA issues a JPKI-shaped signing certificate (holder attributes as subjectAltName otherName
# entries, one of them a PrintableString to check leniency) and an authentication certificate.
set -eu
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$work/ca.key" 2>/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$work/sign.key" 2>/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$work/auth.key" 2>/dev/null
openssl pkcs8 -topk8 -nocrypt -in "$work/sign.key" -outform DER -out test-sign-key.pk8
openssl pkcs8 -topk8 -nocrypt -in "$work/auth.key" -outform DER -out test-auth-key.pk8

cat > "$work/ca.cnf" <<'CNF'
[ca]
default_ca = test
[test]
dir = WORK
database = $dir/index.txt
new_certs_dir = $dir
serial = $dir/serial
default_md = sha256
policy = any
unique_subject = no
[any]
countryName = optional
organizationName = optional
organizationalUnitName = optional
localityName = optional
commonName = optional
[sign_ext]
keyUsage = critical, digitalSignature, nonRepudiation
subjectAltName = @holder
[auth_ext]
keyUsage = critical, digitalSignature
[holder]
otherName.1 = 1.2.392.200149.8.5.5.1;FORMAT:UTF8,UTF8:山田 太郎
otherName.2 = 1.2.392.200149.8.5.5.2;FORMAT:UTF8,UTF8:ヤマダ タロウ
otherName.3 = 1.2.392.200149.8.5.5.3;FORMAT:UTF8,UTF8:1
otherName.4 = 1.2.392.200149.8.5.5.4;PRINTABLESTRING:19800115
otherName.5 = 1.2.392.200149.8.5.5.5;FORMAT:UTF8,UTF8:東京都千代田区千代田1-1
otherName.6 = 1.2.392.200149.8.5.5.6;FORMAT:UTF8,UTF8:トウキョウト
CNF
sed -i "s|WORK|$work|" "$work/ca.cnf"
touch "$work/index.txt"
echo 1000 > "$work/serial"

openssl req -new -x509 -key "$work/ca.key" -sha256 -utf8 -days 3650 \
  -subj "/C=JP/O=JPKI/OU=Kazasu Test CA for Signing" -outform DER -out test-ca.der
openssl x509 -inform DER -in test-ca.der -out "$work/ca.pem"

openssl req -new -key "$work/sign.key" -utf8 -subj "/C=JP/L=Tokyo/CN=1000001SIGN" -out "$work/sign.csr"
openssl ca -batch -config "$work/ca.cnf" -cert "$work/ca.pem" -keyfile "$work/ca.key" -utf8 \
  -startdate 20260315000000Z -enddate 20310315145959Z -extensions sign_ext \
  -in "$work/sign.csr" -out "$work/sign.pem" 2>/dev/null
openssl x509 -in "$work/sign.pem" -outform DER -out test-sign-cert.der

openssl req -new -key "$work/auth.key" -utf8 -subj "/C=JP/CN=1000001AUTH" -out "$work/auth.csr"
openssl ca -batch -config "$work/ca.cnf" -cert "$work/ca.pem" -keyfile "$work/ca.key" -utf8 \
  -startdate 20260315000000Z -enddate 20310315145959Z -extensions auth_ext \
  -in "$work/auth.csr" -out "$work/auth.pem" 2>/dev/null
openssl x509 -in "$work/auth.pem" -outform DER -out test-auth-cert.der
