# Sourced: readme_block README MARKER prints the fenced code block that
# follows the line containing MARKER in README (the recipe as users read
# it), or fails when there is none.
readme_block() {
  awk -v marker="$2" '
    index($0, marker) { found = 1; next }
    found && !inside && /^```/ { inside = 1; next }
    inside && /^```/ { done = 1; exit }
    inside { print }
    END { if (!done) exit 1 }
  ' "$1"
}
