<?php

namespace App\Models;

use Illuminate\Database\Eloquent\Model;

class InventoryItem extends Model
{
    public function lastSeenRun()
    {
        return $this->belongsTo(InventorySyncRun::class, 'last_seen_run_id');
    }

    public function lastSeenOperationRun()
    {
        return $this->belongsTo(OperationRun::class, 'last_seen_operation_run_id');
    }
}
