from bench.deliver.run import main

main()
