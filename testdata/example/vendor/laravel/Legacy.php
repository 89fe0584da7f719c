<?php // vendor code is excluded: InventorySyncRun here is not reported
