<?php

use Illuminate\Support\Facades\Route;

Route::get('/operations', fn () => view('runs'));
