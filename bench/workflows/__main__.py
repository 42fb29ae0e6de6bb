from bench.workflows.run import main

main()
