"""The exercises and answers of "Introduction to Deep Learning in Python", run on lamina.

Each exercise of the course ran as its own script, with data and helpers the course had
pre-loaded; here they run in order in one script, each preceded by what the course pre-loaded
(marked). The answers are as written, Keras imports included (`import keras`,
`from keras.layers import Dense`, `from keras.optimizers import SGD` ...). Run with

    lamina run examples/deep_learning_course/exercises.py

The course's data files (wages, Titanic, an MNIST sample) are not public: `course_data.py`
generates stand-ins with the same columns, sizes and ranges, so the printed numbers of the
Keras exercises differ from the course's. The NumPy exercises print the course's numbers.
"""

import matplotlib.pyplot as plt
import numpy as np

from course_data import mnist_sample, titanic, wages



# ==============================================================================================
# Exercise: Coding the forward propagation algorithm
# ==============================================================================================
# -- pre-loaded by the course --
input_data = np.array([3, 5])
weights = {'node_0': np.array([2, 4]), 'node_1': np.array([4, -5]), 'output': np.array([2, 7])}
# -- the answer --

# Calculate node 0 value: node_0_value
node_0_value = (input_data * weights['node_0']).sum()

# Calculate node 1 value: node_1_value
node_1_value = (input_data * weights['node_1']).sum()

# Put node values into array: hidden_layer_outputs
hidden_layer_outputs = np.array([node_0_value, node_1_value])

# Calculate output: output
output = (hidden_layer_outputs * weights['output']).sum()

# Print output
print(output)


# ==============================================================================================
# Exercise: The Rectified Linear Activation Function
# ==============================================================================================

def relu(input):
    '''Define your relu activation function here'''
    # Calculate the value for the output of the relu function: output
    output = max(input, 0)

    # Return the value just calculated
    return(output)

# Calculate node 0 value: node_0_output
node_0_input = (input_data * weights['node_0']).sum()
node_0_output = relu(node_0_input)

# Calculate node 1 value: node_1_output
node_1_input = (input_data * weights['node_1']).sum()
node_1_output = relu(node_1_input)

# Put node values into array: hidden_layer_outputs
hidden_layer_outputs = np.array([node_0_output, node_1_output])

# Calculate model output (do not apply relu)
model_output = (hidden_layer_outputs * weights['output']).sum()

# Print model output
print(model_output)


# ==============================================================================================
# Exercise: Applying the network to many observations/rows of data
# ==============================================================================================
# -- pre-loaded by the course --
input_data = [np.array([3, 5]), np.array([1, -1]), np.array([0, 0]), np.array([8, 4])]
# -- the answer --

# Define predict_with_network()
def predict_with_network(input_data_row, weights):

    # Calculate node 0 value
    node_0_input = (input_data_row * weights['node_0']).sum()
    node_0_output = relu(node_0_input)

    # Calculate node 1 value
    node_1_input = (input_data_row * weights['node_1']).sum()
    node_1_output = relu(node_1_input)

    # Put node values into array: hidden_layer_outputs
    hidden_layer_outputs = np.array([node_0_output, node_1_output])

    # Calculate model output
    input_to_final_layer = (hidden_layer_outputs * weights['output']).sum()
    model_output = relu(input_to_final_layer)

    # Return model output
    return(model_output)


# Create empty list to store prediction results
results = []
for input_data_row in input_data:
    # Append prediction to results
    results.append(predict_with_network(input_data_row, weights))

# Print results
print(results)


# ==============================================================================================
# Exercise: Multi-layer neural networks
# ==============================================================================================
# -- pre-loaded by the course --
input_data = np.array([3, 5])
weights = {'node_0_0': np.array([2, 4]), 'node_0_1': np.array([4, -5]),
           'node_1_0': np.array([-1, 2]), 'node_1_1': np.array([1, 2]),
           'output': np.array([2, 7])}
# -- the answer --

def predict_with_network(input_data):
    # Calculate node 0 in the first hidden layer
    node_0_0_input = (input_data * weights['node_0_0']).sum()
    node_0_0_output = relu(node_0_0_input)

    # Calculate node 1 in the first hidden layer
    node_0_1_input = (input_data * weights['node_0_1']).sum()
    node_0_1_output = relu(node_0_1_input)

    # Put node values into array: hidden_0_outputs
    hidden_0_outputs = np.array([node_0_0_output, node_0_1_output])

    # Calculate node 0 in the second hidden layer
    node_1_0_input = (hidden_0_outputs * weights['node_1_0']).sum()
    node_1_0_output = relu(node_1_0_input)

    # Calculate node 1 in the second hidden layer
    node_1_1_input = (hidden_0_outputs * weights['node_1_1']).sum()
    node_1_1_output = relu(node_1_1_input)

    # Put node values into array: hidden_1_outputs
    hidden_1_outputs = np.array([node_1_0_output, node_1_1_output])

    # Calculate output here: model_output
    model_output = (hidden_1_outputs * weights['output']).sum()

    # Return model_output
    return(model_output)

output = predict_with_network(input_data)
print(output)


# ==============================================================================================
# Exercise: Coding how weight changes affect accuracy
# ==============================================================================================
# -- pre-loaded by the course --
def predict_with_network(input_data_row, weights):
    node_0_output = relu((input_data_row * weights['node_0']).sum())
    node_1_output = relu((input_data_row * weights['node_1']).sum())
    hidden_layer_outputs = np.array([node_0_output, node_1_output])
    return relu((hidden_layer_outputs * weights['output']).sum())
# -- the answer --

# The data point you will make a prediction for
input_data = np.array([0, 3])

# Sample weights
weights_0 = {'node_0': [2, 1],
             'node_1': [1, 2],
             'output': [1, 1]
            }

# The actual target value, used to calculate the error
target_actual = 3

# Make prediction using original weights
model_output_0 = predict_with_network(input_data, weights_0)

# Calculate error: error_0
error_0 = model_output_0 - target_actual

# Create weights that cause the network to make perfect prediction (3): weights_1
weights_1 = {'node_0': [2, 1],
             'node_1': [1, 2],
             'output': [1, 0]
            }

# Make prediction using new weights: model_output_1
model_output_1 = predict_with_network(input_data, weights_1)

# Calculate error: error_1
error_1 = model_output_1 - target_actual

# Print error_0 and error_1
print(error_0)
print(error_1)


# ==============================================================================================
# Exercise: Scaling up to multiple data points
# ==============================================================================================
# -- pre-loaded by the course --
input_data = [np.array([0, 3]), np.array([1, 2]), np.array([-1, -2]), np.array([4, 0])]
target_actuals = [1, 3, 5, 7]
weights_0 = {'node_0': np.array([2, 1]), 'node_1': np.array([1, 2]), 'output': np.array([1, 1])}
weights_1 = {'node_0': np.array([2, 1]), 'node_1': np.array([1., 1.5]),
             'output': np.array([1., 1.5])}
# -- the answer --

from sklearn.metrics import mean_squared_error

# Create model_output_0
model_output_0 = []
# Create model_output_1
model_output_1 = []

# Loop over input_data
for row in input_data:
    # Append prediction to model_output_0
    model_output_0.append(predict_with_network(row, weights_0))

    # Append prediction to model_output_1
    model_output_1.append(predict_with_network(row , weights_1))

# Calculate the mean squared error for model_output_0: mse_0
mse_0 = mean_squared_error(target_actuals , model_output_0)

# Calculate the mean squared error for model_output_1: mse_1
mse_1 = mean_squared_error(target_actuals , model_output_1)

# Print mse_0 and mse_1
print("Mean squared error with weights_0: %f" %mse_0)
print("Mean squared error with weights_1: %f" %mse_1)


# ==============================================================================================
# Exercise: Calculating slopes
# ==============================================================================================
# -- pre-loaded by the course --
input_data = np.array([1, 2, 3])
weights = np.array([0, 2, 1])
target = 0
# -- the answer --

# Calculate the predictions: preds
preds = (input_data * weights).sum()

# Calculate the error: error
error = target - preds

# Calculate the slope: slope
slope = input_data * error * 2

# Print the slope
print(slope)


# ==============================================================================================
# Exercise: Improving model weights
# ==============================================================================================

# Set the learning rate: learning_rate
learning_rate = 0.01

# Calculate the predictions: preds
preds = (weights * input_data).sum()

# Calculate the error: error
error = preds - target

# Calculate the slope: slope
slope = 2 * input_data * error

# Update the weights: weights_updated
weights_updated =weights - (learning_rate * slope)

# Get updated predictions: preds_updated
preds_updated = (input_data * weights_updated).sum()

# Calculate updated error: error_updated
error_updated = np.abs(target -  preds_updated)

# Print the original error
print(error)

# Print the updated error
print(error_updated)


# ==============================================================================================
# Exercise: Making multiple updates to weights
# ==============================================================================================
# -- pre-loaded by the course --
def get_slope(input_data, target, weights):
    error = (weights * input_data).sum() - target
    return 2 * input_data * error

def get_mse(input_data, target, weights):
    return np.mean((target - (weights * input_data).sum()) ** 2)
# -- the answer --

n_updates = 20
mse_hist = []

# Iterate over the number of updates
for i in range(n_updates):
    # Calculate the slope: slope
    slope = get_slope(input_data, target, weights)

    # Update the weights: weights
    weights = weights - (slope * 0.01)

    # Calculate mse with new weights: mse
    mse = get_mse(input_data, target, weights)

    # Append the mse to mse_hist
    mse_hist.append(mse)

# Plot the mse history
plt.plot(mse_hist)
plt.xlabel('Iterations')
plt.ylabel('Mean Squared Error')
plt.show()


# ==============================================================================================
# Exercise: Specifying a model
# ==============================================================================================
# -- pre-loaded by the course --
df = wages()
predictors = df.drop(columns='wage_per_hour').values
target = df.wage_per_hour.values
n_cols = predictors.shape[1]
# -- the answer --

# Import necessary modules
import keras
from keras.layers import Dense
from keras.models import Sequential

# Save the number of columns in predictors: n_cols
n_cols = predictors.shape[1]

# Set up the model: model
model = Sequential()

# Add the first layer
model.add(Dense(50, activation = 'relu', input_shape=(n_cols , )))

# Add the second layer
model.add(Dense(32 , activation='relu' , input_shape = (n_cols , )))

# Add the output layer
model.add(Dense(1))


# ==============================================================================================
# Exercise: Compiling the model
# ==============================================================================================

# Import necessary modules
import keras
from keras.layers import Dense
from keras.models import Sequential

# Specify the model
n_cols = predictors.shape[1]
model = Sequential()
model.add(Dense(50, activation='relu', input_shape = (n_cols,)))
model.add(Dense(32, activation='relu'))
model.add(Dense(1))

# Compile the model
model.compile(optimizer = 'adam' , loss = 'mean_squared_error')

# Verify that model contains information from compiling
print("Loss function: " + model.loss)


# ==============================================================================================
# Exercise: Fitting the model
# ==============================================================================================

# Import necessary modules
import keras
from keras.layers import Dense
from keras.models import Sequential

# Specify the model
n_cols = predictors.shape[1]
model = Sequential()
model.add(Dense(50, activation='relu', input_shape = (n_cols,)))
model.add(Dense(32, activation='relu'))
model.add(Dense(1))

# Compile the model
model.compile(optimizer='adam', loss='mean_squared_error')

# Fit the model
model.fit(predictors , target)


# ==============================================================================================
# Exercise: Last steps in classification models
# ==============================================================================================
# -- pre-loaded by the course --
df = titanic()
predictors = df.drop(columns='survived').values.astype(np.float32)
n_cols = predictors.shape[1]
# -- the answer --

# Import necessary modules
import keras
from keras.layers import Dense
from keras.models import Sequential
from keras.utils import to_categorical

# Convert the target to categorical: target
target = to_categorical(df.survived)

# Set up the model
model = Sequential()

# Add the first layer
model.add(Dense(32 , activation='relu' , input_shape = (n_cols , )))

# Add the output layer
model.add(Dense(2 , activation = 'softmax'))

# Compile the model
model.compile(optimizer = 'sgd' , loss = 'categorical_crossentropy' , metrics = ['accuracy'])

# Fit the model
model.fit(predictors , target)


# ==============================================================================================
# Exercise: Making predictions
# ==============================================================================================
# -- pre-loaded by the course --
# (the course trained on 800 passengers and predicted the other 91)
predictors, pred_data = predictors[:800], predictors[800:]
target = target[:800]
# -- the answer --

# Specify, compile, and fit the model
model = Sequential()
model.add(Dense(32, activation='relu', input_shape = (n_cols,)))
model.add(Dense(2, activation='softmax'))
model.compile(optimizer='sgd',
              loss='categorical_crossentropy',
              metrics=['accuracy'])
model.fit(predictors, target)

# Calculate predictions: predictions
predictions = model.predict(pred_data)

# Calculate predicted probability of survival: predicted_prob_true
predicted_prob_true = predictions[: , 1]

# print predicted_prob_true
print(predicted_prob_true)


# ==============================================================================================
# Exercise: Changing optimization parameters
# ==============================================================================================
# -- pre-loaded by the course --
predictors = df.drop(columns='survived').values.astype(np.float32)
target = to_categorical(df.survived)
input_shape = (n_cols,)

def get_new_model(input_shape=input_shape):
    model = Sequential()
    model.add(Dense(100, activation='relu', input_shape=input_shape))
    model.add(Dense(100, activation='relu'))
    model.add(Dense(2, activation='softmax'))
    return model
# -- the answer --

# Import the SGD optimizer
from keras.optimizers import SGD

# Create list of learning rates: lr_to_test
lr_to_test = [.000001, 0.01, 1]

# Loop over learning rates
for lr in lr_to_test:
    print('\n\nTesting model with learning rate: %f\n'%lr )

    # Build new model to test, unaffected by previous models
    model = get_new_model()

    # Create SGD optimizer with specified learning rate: my_optimizer
    my_optimizer = SGD(lr = lr)

    # Compile the model
    model.compile(optimizer = my_optimizer , loss = 'categorical_crossentropy')

    # Fit the model
    model.fit(predictors , target)


# ==============================================================================================
# Exercise: Evaluating model accuracy on validation dataset
# ==============================================================================================

# Save the number of columns in predictors: n_cols
n_cols = predictors.shape[1]
input_shape = (n_cols,)

# Specify the model
model = Sequential()
model.add(Dense(100, activation='relu', input_shape = input_shape))
model.add(Dense(100, activation='relu'))
model.add(Dense(2, activation='softmax'))

# Compile the model
model.compile(optimizer = 'adam' , loss = 'categorical_crossentropy' , metrics = ['accuracy'])

# Fit the model
hist = model.fit(predictors , target, validation_split = 0.3)


# ==============================================================================================
# Exercise: Early stopping: Optimizing the optimization
# ==============================================================================================

# Import EarlyStopping
from keras.callbacks import EarlyStopping

# Save the number of columns in predictors: n_cols
n_cols = predictors.shape[1]
input_shape = (n_cols,)

# Specify the model
model = Sequential()
model.add(Dense(100, activation='relu', input_shape = input_shape))
model.add(Dense(100, activation='relu'))
model.add(Dense(2, activation='softmax'))

# Compile the model
model.compile(optimizer = 'adam' , loss = 'categorical_crossentropy' , metrics = ['accuracy'])

# Define early_stopping_monitor
early_stopping_monitor = EarlyStopping(patience = 2)

# Fit the model
model.fit(predictors , target , epochs = 30 , validation_split=0.3 , callbacks=[early_stopping_monitor])


# ==============================================================================================
# Exercise: Experimenting with wider networks
# ==============================================================================================
# -- pre-loaded by the course --
model_1 = Sequential()
model_1.add(Dense(10, activation='relu', input_shape=input_shape))
model_1.add(Dense(10, activation='relu'))
model_1.add(Dense(2, activation='softmax'))
model_1.compile(optimizer='adam', loss='categorical_crossentropy', metrics=['accuracy'])
model_1.summary()
# -- the answer --

# Define early_stopping_monitor
early_stopping_monitor = EarlyStopping(patience=2)

# Create the new model: model_2
model_2 = Sequential()

# Add the first and second layers
model_2.add(Dense(100 , activation = 'relu' , input_shape = input_shape))
model_2.add(Dense(100 , activation = 'relu' ))

# Add the output layer
model_2.add(Dense(2 , activation='softmax'))

# Compile model_2
model_2.compile(optimizer = 'adam' , loss = 'categorical_crossentropy' , metrics = ['accuracy'])

# Fit model_1
model_1_training = model_1.fit(predictors, target, epochs=15, validation_split=0.2, callbacks=[early_stopping_monitor], verbose=False)

# Fit model_2
model_2_training = model_2.fit(predictors, target, epochs=15, validation_split=0.2, callbacks=[early_stopping_monitor], verbose=False)

# Create the plot
plt.plot(model_1_training.history['val_loss'], 'r', model_2_training.history['val_loss'], 'b')
plt.xlabel('Epochs')
plt.ylabel('Validation score')
plt.show()


# ==============================================================================================
# Exercise: Adding layers to a network
# ==============================================================================================
# -- pre-loaded by the course --
model_1 = Sequential()
model_1.add(Dense(50, activation='relu', input_shape=input_shape))
model_1.add(Dense(2, activation='softmax'))
model_1.compile(optimizer='adam', loss='categorical_crossentropy', metrics=['accuracy'])
model_1.summary()
# -- the answer --

# The input shape to use in the first hidden layer
input_shape = (n_cols,)

# Create the new model: model_2
model_2 = Sequential()

# Add the first, second, and third hidden layers
model_2.add(Dense(50 , activation='relu' , input_shape = input_shape))
model_2.add(Dense(50 , activation = 'relu'))
model_2.add(Dense(50 , activation = 'relu'))

# Add the output layer
model_2.add(Dense(2 , activation = 'softmax'))

# Compile model_2
model_2.compile(optimizer = 'adam' , loss = 'categorical_crossentropy' , metrics = ['accuracy'])

# Fit model 1
model_1_training = model_1.fit(predictors, target, epochs=20, validation_split=0.4, callbacks=[early_stopping_monitor], verbose=False)

# Fit model 2
model_2_training = model_2.fit(predictors, target, epochs=20, validation_split=0.4, callbacks=[early_stopping_monitor], verbose=False)

# Create the plot
plt.plot(model_1_training.history['val_loss'], 'r', model_2_training.history['val_loss'], 'b')
plt.xlabel('Epochs')
plt.ylabel('Validation score')
plt.show()


# ==============================================================================================
# Exercise: Building your own digit recognition model
# ==============================================================================================
# -- pre-loaded by the course --
X, y = mnist_sample()
# -- the answer --

# Create the model: model
model = Sequential()

# Add the first hidden layer
model.add(Dense(50 , activation = 'relu' , input_shape = (784 , )))

# Add the second hidden layer
model.add(Dense(50 , activation = 'relu'))

# Add the output layer
model.add(Dense(10 , activation= 'softmax'))

# Compile the model
model.compile(optimizer = 'adam' , loss = 'categorical_crossentropy' , metrics = ['accuracy'])

# Fit the model
model.fit(X , y , validation_split = 0.3)
