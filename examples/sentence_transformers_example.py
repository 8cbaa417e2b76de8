"""The seed README's "Semantic Search with Sentence Transformers", with one change: the model.

sentence-transformers pulls in torch (gigabytes) and downloads the model from the Hugging Face hub
at run time, too heavy for CI and impossible offline. The same all-MiniLM-L6-v2, quantized to ONNX,
ships inside a Maven artifact the project already resolves; minilm.py runs it on onnxruntime.
With sentence-transformers installed, the two commented lines below work unchanged.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # minilm.py sits beside this file

# from sentence_transformers import SentenceTransformer
from minilm import MiniLM
from zero_copy_search import VectorStore, HNSWIndex

# Load embedding model
# model = SentenceTransformer('all-MiniLM-L6-v2')
model = MiniLM.from_maven()

# Your documents
documents = [
    "Machine learning is a subset of AI",
    "Python is great for data science",
    "Deep learning uses neural networks",
    # ... thousands more ... (here a few dozen, on several topics)
    "Neural networks learn representations from examples",
    "Large language models generate text one token at a time",
    "Java runs on the JVM and compiles to bytecode",
    "Rust guarantees memory safety without a garbage collector",
    "SQL queries select rows from relational tables",
    "Apache Spark processes big data on clusters of machines",
    "Vector databases find nearest neighbours of embeddings",
    "The Eiffel Tower is in Paris",
    "Mount Everest is the highest mountain on Earth",
    "The Amazon is the largest rainforest in the world",
    "The Pacific is the deepest ocean",
    "Bake the bread for forty minutes at 220 degrees",
    "Add salt and pepper to the soup before serving",
    "Fresh basil makes a good pesto sauce",
    "The football match ended in a draw",
    "She won the tennis final in three sets",
    "Marathon runners train for months before a race",
    "The violin has four strings",
    "Beethoven wrote nine symphonies",
    "Jazz grew out of blues and ragtime",
    "Cats sleep for most of the day",
    "Dogs were domesticated from wolves",
    "Bees pollinate flowers while collecting nectar",
    "Interest rates rose to fight inflation",
    "The stock market fell sharply on Monday",
    "Photosynthesis turns sunlight into chemical energy",
    "Water boils at 100 degrees Celsius at sea level",
]

# Create embeddings
embeddings = model.encode(documents)
embeddings_list = [emb.tolist() for emb in embeddings]

# Create vector store
VectorStore.create("documents.vec", embeddings_list)
store = VectorStore.open("documents.vec")

# Build index with cosine distance
index = HNSWIndex(store, m=16, ef_construction=200, metric="cosine")
index.build()

# Search
query = "artificial intelligence"
query_embedding = model.encode([query])[0].tolist()
results = index.search(query_embedding, k=5)

# Display results
for idx, distance in results:
    similarity = 1 - distance
    print(f"[{similarity:.3f}] {documents[idx]}")
