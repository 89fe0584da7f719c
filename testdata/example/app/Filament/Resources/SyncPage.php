<?php

namespace App\Filament\Resources;

class SyncPage
{
    public const TYPE = 'inventory.sync';

    public function table(): string
    {
        return 'operation_runs';
    }
}
