// One fleet, one set of ports: the collections run one after the other.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
