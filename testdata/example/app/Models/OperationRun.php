<?php

namespace App\Models;

use Illuminate\Database\Eloquent\Model;

class OperationRun extends Model
{
    protected $table = 'operation_runs';
}
