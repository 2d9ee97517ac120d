// Each cell saturates the machine's cores on purpose (an unthrottled producer, a simulated cluster,
// kcat); cells running side by side would measure each other instead of the fault.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
