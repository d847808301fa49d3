# shellcheck shell=bash
# Scenarios and checks. A scenario groups checks; each check runs a command
# and passes on exit status 0. A failing check prints its output and the
# scenario's diagnostics (container logs, install output), and the harness
# exits non-zero at the end. The summary is one line per scenario.

E2E_RESULTS=()
E2E_FAILED=0
_scenario=""
_scenario_start=0
_scenario_checks=0
_scenario_failed=0
# Called on a failed check; scenarios set it to print what explains a failure.
E2E_DIAGNOSE=:

scenario() {
  _scenario=$1
  _scenario_start=$(date +%s)
  _scenario_checks=0
  _scenario_failed=0
  log "== scenario: $_scenario"
}

end_scenario() {
  local secs=$(($(date +%s) - _scenario_start)) verdict=pass
  if [ $_scenario_failed -gt 0 ]; then verdict=FAIL; fi
  E2E_RESULTS+=("$(printf '%-4s  %3d/%-3d  %4ss  %s' "$verdict" $((_scenario_checks - _scenario_failed)) "$_scenario_checks" "$secs" "$_scenario")")
}

# check DESCRIPTION COMMAND...: one assertion.
check() {
  local what=$1 out rc=0
  shift
  _scenario_checks=$((_scenario_checks + 1))
  out=$("$@" 2>&1) || rc=$?
  if [ $rc -eq 0 ]; then
    log "  ok   $what"
  else
    _scenario_failed=$((_scenario_failed + 1))
    E2E_FAILED=$((E2E_FAILED + 1))
    log "  FAIL $what (exit $rc)"
    printf '%s\n' "$out" | tail -n 40 | sed 's/^/       | /' >&2
    "$E2E_DIAGNOSE" >&2 || true
  fi
}

# fails COMMAND...: succeeds when COMMAND fails (for checks that expect a refusal).
fails() { ! "$@"; }

# eq EXPECTED COMMAND...: the command's output (trimmed) equals EXPECTED.
eq() {
  local want=$1 got
  shift
  got=$("$@") || { echo "command failed: $*"; return 1; }
  if [ "$got" != "$want" ]; then
    echo "expected: $want"
    echo "got:      $got"
    return 1
  fi
}

# contains NEEDLE COMMAND...: the command's output contains NEEDLE.
contains() {
  local needle=$1 got
  shift
  got=$("$@" 2>&1) || true
  if ! grep -qF -- "$needle" <<< "$got"; then
    echo "expected output to contain: $needle"
    printf '%s\n' "$got" | tail -n 20
    return 1
  fi
}

summary() {
  local line
  echo
  echo "deployment harness: result  checks  time  scenario"
  for line in "${E2E_RESULTS[@]}"; do echo "  $line"; done
  echo "  total wall time: $(($(date +%s) - E2E_START)) s, failed checks: $E2E_FAILED"
}
