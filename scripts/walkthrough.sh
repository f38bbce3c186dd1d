#!/usr/bin/env bash
# The README's walkthrough, runnable: `BASE=http://localhost:3000 KEY=<admin key> bash scripts/walkthrough.sh`.
# Every call must answer 2xx, or the script stops and says which one did not.
set -euo pipefail
BASE=${BASE:-http://localhost:3000}
: "${KEY:?set KEY to the admin API key (grep ADMIN_API_KEY .env.local)}"
TAG=${TAG:-$(date +%s)}
call() { # method path [json]
  local out status
  out=$(curl -s -w '\n%{http_code}' -X "$1" "$BASE$2" -H "Authorization: Bearer $KEY" \
    -H 'content-type: application/json' ${3:+-d "$3"})
  status=${out##*$'\n'}
  out=${out%$'\n'*}
  if [[ $status != 2* ]]; then echo "FAILED $1 $2 -> $status: $out" >&2; exit 1; fi
  printf '%s' "$out"
}
field() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const v=process.argv[1].split(".").reduce((o,k)=>o?.[k],JSON.parse(s));process.stdout.write(String(v))})' "$1"; }

echo "1. a purpose with a versioned, published text"
call POST /v1/purposes '{"key":"newsletter-'$TAG'","name":"Newsletter","description":"Offers by e-mail","legalBasis":"consent","dataCategories":["e-mail address"],"subjectCategories":["customers"],"recipients":["e-mail delivery provider"],"processors":[],"transfers":[],"channels":["email"],"marketing":true}' >/dev/null
call POST /v1/purposes/newsletter-$TAG/texts '{"locale":"pl","title":"Newsletter","body":"Wyrażam zgodę na newsletter {{controller.name}}."}' >/dev/null
call POST /v1/purposes/newsletter-$TAG/texts/1/publish '{}' >/dev/null

echo "2. a grant recorded from a web form (the subject is created), with a signed receipt"
GRANT=$(call POST /v1/consents '{"subject":{"email":"jan.'$TAG'@example.com"},"purpose":"newsletter-'$TAG'","channel":"email","version":1,"locale":"pl","decision":"granted","source":{"method":"web","location":"signup-form"}}')
SUBJECT=$(echo "$GRANT" | field subjectId)
echo "   receipt: $(echo "$GRANT" | field receipt | cut -c1-40)..."

echo "3. the decision, one and a batch"
call GET "/v1/consents/check?purpose=newsletter-$TAG&channel=email&subjectId=$SUBJECT"; echo
call POST /v1/consents/check '{"purpose":"newsletter-'$TAG'","channel":"email","emails":["jan.'$TAG'@example.com","nobody@example.com"]}'; echo

echo "4. an access request, verified at the counter, and its legal clock"
REQ=$(call POST /v1/requests '{"type":"access","subjectId":"'$SUBJECT'","verified":true}' | field id)
call GET /v1/requests/$REQ/clock | field dueAt; echo

echo "5. retention: a policy and a dry run"
call POST /v1/retention/policies '{"key":"inactive-'$TAG'","purpose":"newsletter-'$TAG'","trigger":"last_activity","period":"P3Y","action":"erase","legalBasis":"Art. 5(1)(e) RODO"}' >/dev/null
RUN=$(call POST /v1/retention/runs '{"dryRun":true}' | field id)
echo "   run $RUN queued"

echo "6. the register of processing activities"
REGISTER_FILE=$(mktemp --suffix=.xlsx)
trap 'rm -f "$REGISTER_FILE"' EXIT
curl -sf -o "$REGISTER_FILE" "$BASE/v1/register?format=xlsx&lang=pl" -H "Authorization: Bearer $KEY"
echo "   $(wc -c < "$REGISTER_FILE") bytes of XLSX"

echo "7. a breach and its 72-hour clock"
call POST /v1/breaches '{"description":"Laptop with an export left on a train","awareAt":"'$(date -u +%Y-%m-%dT%H:%M:%SZ)'","reportedBy":"store manager","dataCategories":["contact"],"riskAssessment":"risk","riskReasoning":"encrypted disk, password unknown"}' | field deadline.notifyAuthorityBy; echo

echo "8. the audit chain"
call GET /v1/audit/verify; echo
