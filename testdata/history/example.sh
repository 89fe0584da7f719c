#!/usr/bin/env bash
# Builds the example history of a migration in DIR (a new git repository):
# renames, deletions, a binary file, a symlink, suppressions, a baseline
# recorded and pruned, the rule file tightened, a merged branch that brings
# a token back. NOLEGACYRUNS is the binary that writes the baselines.
# Used by the --history tests, the browser check and the README's screenshot.
set -euo pipefail
dir=$1
: "${NOLEGACYRUNS:?set NOLEGACYRUNS to the nolegacyruns binary}"
mkdir -p "$dir"
cd "$dir"
git init -q -b main .
git config user.name "Alice Example"
git config user.email alice@example.com
git config commit.gpgsign false
git config core.autocrlf false
git remote add origin https://github.com/tenantatlas/example.git

# One commit every three days from 2026-01-05, 09:00 UTC.
day=0
when() { day=$((day + 3)); d="@$((1767517200 + day * 86400)) +0000"; }
commit() { # author, subject
	when
	GIT_AUTHOR_NAME="$1" GIT_AUTHOR_DATE="$d" GIT_COMMITTER_DATE="$d" git commit -q --allow-empty -m "$2"
}

mkdir -p app/Models app/Services app/Filament database/migrations resources/views routes vendor/acme
cat > .nolegacyruns.yaml <<'YAML'
include: [app/**, database/**, resources/**, routes/**]
exclude: [vendor/**]
rules:
  - id: legacy-run-symbols
    message: legacy run tables and models were replaced by operation_runs
    hint: use OperationRun
    tokens: [InventorySyncRun, inventory_sync_runs, BackupScheduleRun]
  - id: legacy-run-types
    message: dotted run types were replaced by the underscore values
    match: word
    tokens: [inventory.sync, backup_schedule.run_now]
    exclude: [database/migrations/**]
  - id: legacy-run-foreign-keys
    message: the legacy foreign keys were dropped
    severity: warning
    tokens: [current_run_id]
YAML
cat > app/Models/InventorySyncRun.php <<'PHP'
<?php
class InventorySyncRun extends Model {
    protected $table = 'inventory_sync_runs';
    public function type() { return 'inventory.sync'; }
}
PHP
cat > app/Services/SyncService.php <<'PHP'
<?php
class SyncService {
    public function run() {
        $run = InventorySyncRun::create(['type' => 'inventory.sync']);
        $schedule = BackupScheduleRun::latest();
        return [$run, $schedule, 'backup_schedule.run_now'];
    }
}
PHP
cat > database/migrations/2025_01_01_create_inventory_sync_runs.php <<'PHP'
<?php
Schema::create('inventory_sync_runs', fn ($t) => $t->string('type')->default('inventory.sync'));
PHP
cat > resources/views/runs.blade.php <<'BLADE'
<h1>Runs</h1>
@foreach (InventorySyncRun::all() as $run)
  <p>{{ $run->current_run_id }}</p>
@endforeach
BLADE
printf '<?php\nRoute::get("/runs", fn () => view("runs"));\n' > routes/web.php
printf 'InventorySyncRun in a vendored package is not ours\n' > vendor/acme/lib.php
git add -A
commit "Alice Example" "Import the application"

cat > app/Models/OperationRun.php <<'PHP'
<?php
class OperationRun extends Model {
    protected $table = 'operation_runs';
}
PHP
git add -A
commit "Bob Builder" "Add the OperationRun model"

cat > app/Services/SyncService.php <<'PHP'
<?php
class SyncService {
    public function run() {
        $run = OperationRun::create(['type' => 'inventory_sync']);
        $schedule = BackupScheduleRun::latest();
        return [$run, $schedule];
    }
}
PHP
git add -A
commit "Alice Example" "Use OperationRun in the sync service"

"$NOLEGACYRUNS" -q --write-baseline .nolegacyruns-baseline.json
git add -A
commit "Bob Builder" "Record the baseline of what is left"

cat > app/Filament/RunsPage.php <<'PHP'
<?php
// nolegacyruns:ignore-file legacy-run-types -- the page maps old URLs until Q3
class RunsPage {
    protected static array $types = ['inventory.sync' => 'inventory_sync'];
    // nolegacyruns:ignore legacy-run-symbols -- the redirect names the old table
    protected static string $old = 'inventory_sync_runs';
}
PHP
git add -A
commit "Carol Coder" "Add the runs page with its compatibility map"

git mv app/Services/SyncService.php app/Services/OperationService.php
commit "Bob Builder" "Rename the sync service"

printf 'GIF89a\0\0InventorySyncRun\0' > resources/views/badge.gif
ln -s InventorySyncRun.php app/Models/LegacyAlias.php
git add -A
commit "Alice Example" "Add a badge and an alias"

git checkout -q -b reports
cat > app/Filament/ReportsPage.php <<'PHP'
<?php
class ReportsPage {
    public function query() { return DB::table('runs')->where('type', 'inventory.sync'); }
}
PHP
git add -A
commit "Dave Hotfix" "Add the reports page"
git checkout -q main
printf '<?php\nRoute::get("/runs", fn () => view("runs"));\nRoute::get("/reports", fn () => view("reports"));\n' > routes/web.php
git add -A
commit "Alice Example" "Route the reports page"
when
GIT_AUTHOR_NAME="Alice Example" GIT_AUTHOR_DATE="$d" GIT_COMMITTER_DATE="$d" git merge -q --no-ff -m "Merge branch 'reports'" reports

git rm -q app/Models/InventorySyncRun.php app/Models/LegacyAlias.php
commit "Bob Builder" "Delete the legacy model"

sed -i 's/    tokens: \[current_run_id\]/    tokens: [current_run_id, last_seen_run_id]/' .nolegacyruns.yaml
sed -i 's/{{ \$run->current_run_id }}/{{ $run->id }} {{ $run->last_seen_run_id }}/' resources/views/runs.blade.php
git add -A
commit "Carol Coder" "Tighten the rules: last_seen_run_id too"

"$NOLEGACYRUNS" -q --write-baseline .nolegacyruns-baseline.json
git add -A
commit "Bob Builder" "Prune the baseline"

sed -i "s/'inventory.sync'/'inventory_sync'/" app/Filament/ReportsPage.php
sed -i 's/BackupScheduleRun::latest()/OperationRun::latest()/' app/Services/OperationService.php
git add -A
commit "Dave Hotfix" "Use the canonical run type in reports"

printf '<?php\nreturn ["InventorySyncRun" => "OperationRun"];\n' > app/aliases.php
printf '\xff\xfe' > resources/views/legacy.txt
printf 'backup_schedule.run_now\n' | iconv -f UTF-8 -t UTF-16LE >> resources/views/legacy.txt
git add -A
commit "Erin Intern" "Add the class aliases"

git rm -q app/aliases.php resources/views/legacy.txt
commit "Alice Example" "Revert the class aliases"

cp resources/views/runs.blade.php resources/views/runs-copy.blade.php
printf '<?php // nolegacyruns:ignore legacy-run-symbols -- a name to test quoting: InventorySyncRun\n' > "$(printf 'app/odd\nname: "x".php')"
git add -A
commit "Erin Intern" "Copy the runs view"

commit "Alice Example" "Release 1.0"
