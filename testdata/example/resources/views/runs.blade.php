<x-filament::page>
    @foreach ($runs as $run)
        <li>{{ $run->type }}</li>
    @endforeach
</x-filament::page>
