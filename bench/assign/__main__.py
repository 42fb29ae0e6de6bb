from bench.assign.run import main

main()
