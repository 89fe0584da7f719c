<?php

use Illuminate\Database\Migrations\Migration;
use Illuminate\Support\Facades\Schema;

return new class extends Migration
{
    public function up(): void
    {
        // The cut-over migration must name what it drops: only legacy-run-symbols applies here.
        Schema::table('findings', fn ($t) => $t->dropColumn(['baseline_run_id', 'current_run_id']));
        Schema::dropIfExists('inventory_sync_runs');
    }
};
